/**
 * A throwaway folder with an app-like data set (the quickstart's generator:
 * a WAL SQLite library and its uploads) and a plan writing to three local
 * targets, one declared as an offsite cloud drive so 3-2-1 holds.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ROOT } from './cli.js';

export interface Workspace {
  dir: string;
  plan: string;
  db: string;
  uploads: string;
  target(name: string): string;
  writePlan(plan: Record<string, unknown>): void;
  cleanup(): void;
}

export function basePlan(dir: string): Record<string, unknown> {
  return {
    version: 1,
    name: 'testapp',
    app: { version_from: { file: 'app/version.json', key: 'version' } },
    sources: [
      { name: 'db', type: 'sqlite', path: 'app/library.sqlite' },
      // A tar: these tests are of single artifacts (their layout, forging, hostile archives); the repository has its own (test/repository/).
      { name: 'uploads', type: 'files', path: 'app/uploads', exclude: ['thumbs/**', '**/*.tmp'], storage: 'tar' },
    ],
    targets: [
      { name: 'nas', type: 'local', path: join(dir, 'targets', 'nas') },
      { name: 'usb', type: 'local', path: join(dir, 'targets', 'usb') },
      { name: 'cloud', type: 'local', path: join(dir, 'targets', 'cloud'), medium: 'cloud-drive', offsite: true },
    ],
    compression: { algorithm: 'zstd' },
    restore: {
      healthchecks: [
        { name: 'integrity', source: 'db', sql: 'pragma integrity_check', expect: { equals: 'ok' } },
        { name: 'users', source: 'db', sql: 'select count(*) from users', expect: { min: 1 } },
      ],
    },
  };
}

export function makeWorkspace(options: { assets?: number } = {}): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'restorable-test-'));
  execFileSync(process.execPath, [join(ROOT, 'examples', 'quickstart', 'make-data.mjs'), join(dir, 'app'), String(options.assets ?? 12)], { stdio: 'ignore' });
  const ws: Workspace = {
    dir,
    plan: join(dir, 'restorable.yml'),
    db: join(dir, 'app', 'library.sqlite'),
    uploads: join(dir, 'app', 'uploads'),
    target: (name) => join(dir, 'targets', name),
    writePlan: (plan) => writeFileSync(ws.plan, stringify(plan)),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  ws.writePlan(basePlan(dir));
  for (const name of ['nas', 'usb', 'cloud']) mkdirSync(ws.target(name), { recursive: true });
  return ws;
}
