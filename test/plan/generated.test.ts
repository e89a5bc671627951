import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planJsonSchema } from '../../src/commands/schema.js';
import { VERSION } from '../../src/version.js';
import { ROOT, json, runCli } from '../helpers/cli.js';
import { makeWorkspace } from '../helpers/workspace.js';

describe('generated files and the dry run', () => {
  it('schemas/restorable.schema.json is the JSON Schema of the zod plan schema (npm run build regenerates it)', () => {
    const committed = JSON.parse(readFileSync(join(ROOT, 'schemas', 'restorable.schema.json'), 'utf8'));
    expect(committed).toEqual(planJsonSchema());
    expect(committed.additionalProperties).toBe(false);
    expect(committed.required).toEqual(['version', 'name', 'sources', 'targets']);
  });

  it('the version in manifests is the package version', () => {
    expect(VERSION).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('the quickstart plan is valid', async () => {
    const result = await runCli(['validate', '--plan', join(ROOT, 'examples', 'quickstart', 'restorable.yml')]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it('plan prints the pipeline in order, databases before files, and touches nothing', async () => {
    const ws = makeWorkspace();
    try {
      const result = await runCli(['plan', '--plan', ws.plan, '--json']);
      expect(result.code, result.stderr).toBe(0);
      const steps = json<{ steps: { id: string }[] }>(result).steps.map((s) => s.id);
      expect(steps).toEqual(['preflight', 'snapshot:db', 'snapshot:uploads', 'verify', 'policy', 'commit', 'prune', 'report']);
      for (const t of ['nas', 'usb', 'cloud']) expect(readdirSync(ws.target(t))).toEqual([]);
      const text = await runCli(['plan', '--plan', ws.plan]);
      expect(text.stdout).toMatch(/2\. snapshot db\n\s+SQLite online backup of .*library\.sqlite, then quick_check/);
    } finally {
      ws.cleanup();
    }
  });
});
