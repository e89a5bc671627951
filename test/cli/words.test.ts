/**
 * The words a new user reads, one test per message: per-command help, "did
 * you mean", the policy hint, plan problems on stderr, short backup ids,
 * plurals, verify's total line, a drill with no health checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, runCli } from '../helpers/cli.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';

describe('words', () => {
  let ws: Workspace;
  let id: string;
  const cli = (...args: string[]) => runCli([...args, '--plan', ws.plan]);
  beforeAll(async () => {
    ws = makeWorkspace();
    const backup = await cli('backup', '--json');
    expect(backup.code, backup.stderr).toBe(0);
    id = json<{ id: string }>(backup).id;
  });
  afterAll(() => ws.cleanup());

  it('`help backup` and `backup --help` give that command’s options, not the others’', async () => {
    for (const args of [['help', 'backup'], ['backup', '--help']]) {
      const help = await runCli(args);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^restorable backup: run the pipeline/);
      expect(help.stdout).toContain('--trigger NAME');
      expect(help.stdout).not.toContain('--deep');
      expect(help.stdout).not.toContain('--runs-on');
    }
    expect((await runCli(['help', 'verify'])).stdout).toContain('--deep');
  });

  it('a mistyped command or key says what was meant', async () => {
    const command = await runCli(['restor']);
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/^error: Unknown command "restor": did you mean "restore"\?$/m);
    const plan = basePlan(ws.dir) as { sources: Record<string, unknown>[] };
    ws.writePlan({ ...plan, sources: [plan.sources[0], { name: 'uploads', type: 'files', pth: 'app/uploads' }] });
    const key = await cli('validate');
    expect(key.code).toBe(2);
    // On stderr, beside the summary, so cron mail shows them.
    expect(key.stderr).toMatch(/restorable\.yml:\d+:\d+: error: sources\[1\]\.pth: unknown key "pth": did you mean "path"\?/);
    expect(key.stdout).toBe('');
  });

  it('policy: {copies: 2} points at rule: {copies: ...}', async () => {
    ws.writePlan({ ...basePlan(ws.dir), policy: { copies: 2 } });
    const run = await cli('validate');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/policy\.copies: unknown key "copies": the numbers of a rule go under rule, as in policy: \{rule: \{copies: \.\.\.\}\}/);
    ws.writePlan(basePlan(ws.dir));
  });

  it('a backup is named by its short tag or a unique prefix; an ambiguous one is refused with the matches', async () => {
    const tag = id.split('-').at(-1)!;
    const verify = await cli('verify', '--backup', tag);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toContain(`nas: ${id}: ok`);
    const drill = await cli('drill', '--backup', id.slice(0, 12), '--json');
    expect(drill.code, drill.stderr).toBe(0);
    expect(json<{ backupId: string }>(drill).backupId).toBe(id);
    expect((await cli('backup')).code).toBe(0);
    const both = await cli('restore', '--backup', id.slice(0, 4));
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(new RegExp(`"${id.slice(0, 4)}" matches 2 backups: `));
  });

  it('counts read right: 1 symlink, not 1 symlinks', async () => {
    const backup = await cli('backup');
    expect(backup.stdout).toMatch(/ 1 symlink\b(?!s)/);
    expect(backup.stdout).not.toMatch(/\b1 (symlinks|databases|tables|files)\b/);
  });

  it('list shows whether each backup met the copy rule, and its app and schema versions', async () => {
    const plan = basePlan(ws.dir) as { sources: Record<string, unknown>[] };
    ws.writePlan({ ...plan, sources: [{ ...plan.sources[0], schema_version: { pragma: 'user_version' } }, plan.sources[1]] });
    expect((await cli('backup')).code).toBe(0);
    ws.writePlan(basePlan(ws.dir));
    const run = await cli('list');
    expect(run.stdout).toMatch(/^BACKUP\s+AGE\s+SIZE\s+RULE\s+APP\s+SCHEMA\s+COPIES\s+DRILL\s+TARGETS$/m);
    expect(run.stdout).toMatch(/^\S+\s+\d+m\s+[\d.]+ \S+\s+met\s+1\.4\.2\s+db 7\s+3\s+/m);
    const data = json<{ backups: { policy_met: boolean; app_version: string; schema_versions: Record<string, string | null> }[] }>(await cli('list', '--json'));
    expect(data.backups[0]).toMatchObject({ policy_met: true, app_version: '1.4.2', schema_versions: { db: '7', uploads: null } });
  });

  it('verify ends with a total line', async () => {
    const run = await cli('verify', '--backup', 'all');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n').at(-1)).toMatch(/^Total: \d+ copies checked: \d+ ok \([\d.]+ (KiB|MiB) read\), 0 damaged, 0 unreadable\.$/);
  });

  it('a drill with no health checks warns that it proved only that the data decodes', async () => {
    ws.writePlan({ ...basePlan(ws.dir), restore: { healthchecks: [] } });
    const run = await cli('drill');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/warning: The plan has no health checks \(restore\.healthchecks\): this drill proved only that the backup decodes and restores/);
    ws.writePlan(basePlan(ws.dir));
    expect((await cli('drill')).stderr).not.toMatch(/no health checks/);
  });
});

describe('media', () => {
  it('a plan with a NAS, a USB disk (medium: removable-disk) and an offsite box validates as 3-2-1; without it, the hint names removable-disk', async () => {
    const ws = makeWorkspace();
    try {
      const targets = [
        { name: 'nas', type: 'local', path: ws.target('nas') },
        { name: 'usb', type: 'local', path: ws.target('usb'), medium: 'removable-disk' },
        { name: 'cloud', type: 'local', path: ws.target('cloud'), offsite: true },
      ];
      ws.writePlan({ ...basePlan(ws.dir), targets });
      const ok = await runCli(['validate', '--plan', ws.plan]);
      expect(ok.code, ok.stderr).toBe(0);
      ws.writePlan({ ...basePlan(ws.dir), targets: targets.map(({ medium: _, ...t }) => t) });
      const short = await runCli(['validate', '--plan', ws.plan]);
      expect(short.code).toBe(2);
      expect(short.stderr).toMatch(/1 of 2 kinds of media .*medium: removable-disk for a USB disk/);
    } finally {
      ws.cleanup();
    }
  });
});
