// dist/ may be rebuilt while a bench runs (npm test rebuilds it): every
// contender runs one frozen copy of it, named by a sha256 of its files. The
// copy sits under bench/.work, so its createRequire still finds better-sqlite3
// in the repository's node_modules.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

export function freezeDist(root, work) {
  const dist = join(root, 'dist');
  if (!existsSync(join(dist, 'cli.js'))) throw new Error('bench: dist/cli.js is missing; run: npm run build');
  const hash = createHash('sha256');
  for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())) {
    const file = join(entry.parentPath, entry.name);
    hash.update(relative(dist, file)).update(readFileSync(file));
  }
  const sha = hash.digest('hex').slice(0, 12);
  const frozen = join(work, `dist-${sha}`);
  mkdirSync(work, { recursive: true });
  for (const old of readdirSync(work)) if (/^dist-[0-9a-f]{12}$/.test(old) && join(work, old) !== frozen) rmSync(join(work, old), { recursive: true, force: true });
  if (!existsSync(frozen)) cpSync(dist, frozen, { recursive: true });
  return { cli: join(frozen, 'cli.js'), sha };
}
