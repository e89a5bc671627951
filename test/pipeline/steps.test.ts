/**
 * The pipeline is typed data: each step carries what its executor needs (a
 * snapshot its source's plan entry, a hook its phase, index and command), so
 * no executor parses an id or searches the plan; `plan --json` shows each step
 * as it always has, without those entries.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { compileBackup } from '../../src/plan/compile.js';
import { loadPlan } from '../../src/plan/load.js';
import { stepView } from '../../src/pipeline/steps.js';

const dir = mkdtempSync(join(tmpdir(), 'restorable-steps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function compiled() {
  writeFileSync(
    join(dir, 'restorable.yml'),
    [
      'version: 1',
      'name: steps',
      'sources:',
      '  - {name: db, type: sqlite, path: db.sqlite}',
      '  - {name: uploads, type: files, path: uploads, exclude: ["*.tmp"]}',
      'targets: [{name: nas, type: local, path: nas}]',
      'policy: {rule: {copies: 1, media: 1, offsite: 0}}',
      'hooks:',
      '  pre_backup: [{command: [echo, one]}, {command: [echo, two]}]',
      '  post_backup: [{command: [echo, three]}]',
    ].join('\n'),
  );
  const loaded = await loadPlan(join(dir, 'restorable.yml'), { env: {}, capabilities: { zstd: true } });
  return { loaded, pipeline: compileBackup(loaded.plan, loaded.dir) };
}

it('snapshot steps carry their source, in snapshot order; hook steps their phase, index and command', async () => {
  const { loaded, pipeline } = await compiled();
  const snapshots = pipeline.steps.flatMap((s) => (s.kind === 'snapshot' ? [s] : []));
  expect(snapshots.map((s) => s.source)).toEqual(['db', 'uploads']);
  for (const step of snapshots) expect(step.config).toBe(loaded.plan.sources.find((s) => s.name === step.source));
  const hooks = pipeline.steps.flatMap((s) => (s.kind === 'hook' ? [s] : []));
  expect(hooks.map((h) => [h.id, h.phase, h.index, h.hook.command.join(' ')])).toEqual([
    ['hook:pre_backup:0', 'pre_backup', 0, 'echo one'],
    ['hook:pre_backup:1', 'pre_backup', 1, 'echo two'],
    ['hook:post_backup:0', 'post_backup', 0, 'echo three'],
  ]);
});

it('plan --json shows each step as id, kind, title, (source,) detail and always, without the plan entries it carries', async () => {
  const { pipeline } = await compiled();
  for (const step of pipeline.steps) {
    const view = stepView(step);
    expect(Object.keys(view)).toEqual(step.kind === 'snapshot' ? ['id', 'kind', 'title', 'source', 'detail', ...('always' in step ? ['always'] : [])] : ['id', 'kind', 'title', 'detail', ...(step.always !== undefined ? ['always'] : [])]);
  }
});
