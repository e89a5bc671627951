/**
 * The plan's schema and checks read each source and target type from its
 * light config module (src/sources/configs.ts, src/targets/configs.ts), not
 * from the adapters, so that `validate` loads no client library. Those
 * modules must say what the adapters do: the same schemas, kinds, sql
 * support and traits. And the bundle keeps them apart.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { SOURCE_KINDS, SQL_SOURCES, sourceConfig } from '../../src/sources/configs.js';
import { sourceAdapter } from '../../src/sources/index.js';
import { targetConfig, traitsOf, type TargetConfig } from '../../src/targets/configs.js';
import { targetAdapter } from '../../src/targets/index.js';
import { ROOT } from '../helpers/cli.js';

it('each source type: the registry names the adapter’s schema, kind and sql support', () => {
  for (const option of sourceConfig.options) {
    const type = option.shape.type.value;
    const adapter = sourceAdapter({ type } as never);
    expect(adapter.schema, type).toBe(option);
    expect(adapter.kind, type).toBe(SOURCE_KINDS[type]);
    expect(adapter.query !== undefined, type).toBe(SQL_SOURCES.has(type));
  }
});

it('each target type: the registry names the adapter’s schema, and traitsOf applies its defaults and implied traits under the plan’s word', () => {
  for (const option of targetConfig.options) {
    const type = option.shape.type.value;
    const config = { type, name: 't' } as TargetConfig;
    const adapter = targetAdapter(config);
    expect(adapter.schema, type).toBe(option);
    expect(traitsOf(config), type).toEqual({ ...adapter.defaults, counted: adapter.defaults.counted !== false });
    expect(traitsOf({ ...config, medium: 'tape', offsite: false, immutable: true } as TargetConfig), type).toMatchObject({ medium: 'tape', offsite: false, immutable: true });
  }
  const locked = { type: 's3', name: 'b', bucket: 'bucket', object_lock: { mode: 'COMPLIANCE', days: 30 } } as TargetConfig;
  expect(traitsOf(locked).immutable).toBe(true);
  expect(traitsOf({ ...locked, immutable: false } as TargetConfig).immutable).toBe(false);
});

it('validate’s chunks of the bundle hold no adapter code (tar, pg, ssh2, the S3 client)', () => {
  const chunks = join(ROOT, 'dist', 'chunks');
  const validate = readdirSync(chunks).find((f) => f.startsWith('validate-'))!;
  // Everything validate imports statically, chunk by chunk.
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(join(chunks, file), 'utf8').matchAll(/^import[^'"]*["']\.\/([\w.-]+\.js)["'];?$/gm)) visit(m[1]!);
  };
  visit(validate);
  const text = [...seen].map((f) => readFileSync(join(chunks, f), 'utf8')).join('\n');
  expect(seen.size).toBeGreaterThan(3);
  for (const module of ['src/sources/files.ts', 'src/sources/postgres.ts', 'src/sources/sqlite.ts', 'src/targets/sftp.ts', 'src/targets/s3.ts', 'node_modules/tar/', 'node_modules/pg/']) {
    expect(text, module).not.toContain(`// ${module}`);
  }
  expect(text).toContain('// src/plan/schema.ts');
});
