/**
 * GitHub artifacts through the built CLI, against the protocol-level server
 * (test/helpers/github-services.ts) with the real @actions/artifact client:
 * a backup inside a "job" that meets 3-2-1 with an artifact as the offsite
 * copy, restored and listed from outside Actions with a token; the same
 * backup outside Actions, where uploading is impossible and said so; an
 * expired copy that list no longer counts.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { json, node24, runCli } from '../helpers/cli.js';
import { startGitHubServices, type GitHubServices } from '../helpers/github-services.js';
import { treeOf } from '../helpers/tree.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';

interface Copy {
  target: string;
  verified: boolean;
  counted: boolean;
  expires_at: string | null;
  note: string;
}

describe('github-artifact through the CLI', () => {
  let github: GitHubServices;
  let ws: Workspace;
  beforeAll(async () => {
    github = await startGitHubServices();
  });
  afterAll(() => github?.close());
  beforeEach(() => {
    ws = makeWorkspace();
    ws.writePlan({ ...basePlan(ws.dir), targets: [{ name: 'nas', type: 'local', path: ws.target('nas') }, { name: 'gh', type: 'github-artifact', retention_days: 30 }] });
  });
  afterEach(() => ws.cleanup());

  // Outside a job: no runtime token, no GITHUB_ACTIONS; the REST API with a token still works.
  const outside = () => ({ ...github.restEnv(), GITHUB_ACTIONS: '', ACTIONS_RUNTIME_TOKEN: '', ACTIONS_RESULTS_URL: '' });

  it('inside a job: an artifact is the offsite copy, with its expiry; listed and restored from outside Actions', async () => {
    const backup = await runCli(['backup', '--plan', ws.plan, '--json'], { env: github.jobEnv(7) });
    expect(backup.code, backup.stderr).toBe(0);
    const result = json<{ id: string; verdict: { met: boolean }; manifest: { copies: { target: string; expires_at: string | null }[] } }>(backup);
    expect(result.verdict.met).toBe(true);
    const gh = result.manifest.copies.find((c) => c.target === 'gh')!;
    const days = (Date.parse(gh.expires_at!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    expect(result.manifest.copies.find((c) => c.target === 'nas')!.expires_at).toBeNull();
    const names = [...github.artifacts.values()].map((a) => a.name).sort();
    expect(names).toEqual([`restorable__testapp__${result.id}__db.sqlite.zst`, `restorable__testapp__${result.id}__manifest.json`, `restorable__testapp__${result.id}__uploads.tar.zst`]);
    // The client's own sha256 of each upload reached the service.
    expect([...github.artifacts.values()].every((a) => /^sha256:[0-9a-f]{64}$/.test(a.hash ?? ''))).toBe(true);

    const list = json<{ backups: { id: string; copies: Copy[] }[] }>(await runCli(['list', '--plan', ws.plan, '--json'], { env: outside() }));
    expect(list.backups.map((b) => b.id)).toEqual([result.id]);
    expect(list.backups[0]!.copies.map((c) => [c.target, c.verified, c.counted])).toEqual([
      ['nas', true, true],
      ['gh', true, true],
    ]);

    const uploads = await treeOf(ws.uploads);
    rmSync(join(ws.uploads, 'ada'), { recursive: true, force: true });
    writeFileSync(join(ws.uploads, 'stray.txt'), 'not in the backup');
    const restore = await runCli(['restore', '--plan', ws.plan, '--target', 'gh', '--source', 'uploads', '--json'], { env: outside() });
    expect(restore.code, restore.stderr).toBe(0);
    // Covered paths come back as backed up (stray.txt goes into the restore point); excluded ones never left the live folder.
    expect(await treeOf(ws.uploads)).toEqual(uploads);

    // An expired copy is never counted: the manifest on gh now says it expired yesterday.
    const manifest = [...github.artifacts.values()].find((a) => a.name.endsWith('__manifest.json'))!;
    const edited = JSON.parse(manifest.data!.toString());
    edited.copies.find((c: { target: string }) => c.target === 'gh').expires_at = new Date(Date.now() - 86_400_000).toISOString();
    manifest.data = Buffer.from(JSON.stringify(edited));
    const later = await runCli(['list', '--plan', ws.plan], { env: outside() });
    expect(later.code, later.stderr).toBe(0);
    expect(later.stdout).toMatch(new RegExp(`${result.id}.*\\s1\\s+-\\s+nas, gh \\(expired\\)`));
  });

  it('outside Actions: the artifact cannot be uploaded, the run says so, and 3-2-1 is not met (exit 3)', async () => {
    const before = github.artifacts.size;
    const result = await runCli(['backup', '--plan', ws.plan], { env: outside() });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/Target "gh" dropped out: Target "gh": GitHub artifacts can only be uploaded from inside a GitHub Actions job/);
    expect(result.stderr).toMatch(/3-2-1 rule is not met/);
    expect(result.stdout).toMatch(/gh\s+github-artifact\s+artifact\s+yes\s+no\s+no\s+no\s+Target "gh"/);
    expect(github.artifacts.size).toBe(before);
  });

  it('a manifest that fails on one folder is written again on the others, but an artifact takes it once: its copy stays', async () => {
    ws.writePlan({
      ...basePlan(ws.dir),
      targets: [{ name: 'nas', type: 'local', path: ws.target('nas') }, { name: 'usb', type: 'local', path: ws.target('usb') }, { name: 'gh', type: 'github-artifact' }],
      policy: { rule: { copies: 3, media: 2, offsite: 1 } },
      // Runs after the snapshots, before the commit: a folder where usb's manifest.json would go makes that one write fail.
      hooks: { post_backup: [{ command: ['sh', '-c', `mkdir -p "${ws.target('usb')}/testapp/$RESTORABLE_BACKUP_ID/manifest.json/x"`] }] },
    });
    const backup = await runCli(['backup', '--plan', ws.plan, '--json'], { env: github.jobEnv(8) });
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stderr).toMatch(/Target "usb" dropped out: .*manifest\.json/);
    const result = json<{ id: string; manifest: { copies: { target: string }[] } }>(backup);
    expect(result.manifest.copies.map((c) => c.target)).toEqual(['nas', 'gh']);
    const names = [...github.artifacts.values()].map((a) => a.name).filter((n) => n.includes(result.id)).sort();
    expect(names).toEqual([`restorable__testapp__${result.id}__db.sqlite.zst`, `restorable__testapp__${result.id}__manifest.json`, `restorable__testapp__${result.id}__uploads.tar.zst`]);
    const onGh = JSON.parse([...github.artifacts.values()].find((a) => a.name.endsWith(`${result.id}__manifest.json`))!.data!.toString());
    expect(onGh.copies.map((c: { target: string }) => c.target)).toEqual(['nas', 'gh']);
    const onNas = JSON.parse(readFileSync(join(ws.target('nas'), 'testapp', result.id, 'manifest.json'), 'utf8'));
    expect(onNas.copies.map((c: { target: string }) => c.target)).toEqual(['nas', 'gh']);
  });

  it('github-cache: written and verified inside a job, never counted, and said so; outside a job a failed copy', async () => {
    ws.writePlan({ ...basePlan(ws.dir), targets: [{ name: 'nas', type: 'local', path: ws.target('nas') }, { name: 'gh', type: 'github-artifact' }, { name: 'cache', type: 'github-cache' }] });
    const inside = await runCli(['backup', '--plan', ws.plan], { env: github.jobEnv(9) });
    expect(inside.code, inside.stderr).toBe(0);
    expect(inside.stdout).toMatch(/cache\s+github-cache\s+artifact\s+yes\s+no\s+yes\s+yes \(not counted\)/);
    expect(inside.stdout).toMatch(/note\s+cache: a fast-restore tier, never counted toward the copy rule/);
    expect(inside.stdout).toMatch(/policy met: 3\/3 copies/);
    const list = json<{ backups: { copies: Copy[] }[] }>(await runCli(['list', '--plan', ws.plan, '--json'], { env: github.jobEnv(10) }));
    expect(list.backups[0]!.copies.map((c) => [c.target, c.verified, c.counted, c.note])).toEqual([
      ['nas', true, true, ''],
      ['gh', true, true, ''],
      ['cache', true, false, 'not counted'],
    ]);
    // Outside a job the entries are listed (REST) but cannot be read: never a verified copy there.
    const away = json<{ backups: { copies: Copy[] }[] }>(await runCli(['list', '--plan', ws.plan, '--json'], { env: outside() }));
    const cache = away.backups[0]!.copies.find((c) => c.target === 'cache')!;
    expect([cache.verified, cache.counted]).toEqual([false, false]);
    expect(cache.note).toMatch(/can be read only inside a GitHub Actions job/);
    // verify says so too: unreadable here is not damage (exit 1, not the integrity exit 5).
    const verify = await runCli(['verify', '--plan', ws.plan], { env: outside() });
    expect(verify.code, verify.stderr).toBe(1);
    expect(verify.stdout).toMatch(/nas: \S+: ok/);
    expect(verify.stdout).toMatch(/gh: \S+: ok/);
    expect(verify.stdout).toMatch(/cache: \S+: UNREADABLE: .*only inside a GitHub Actions job/);
    expect(verify.stderr).toMatch(/1 of 3 copies could not be read/);

    const outsideRun = await runCli(['backup', '--plan', ws.plan], { env: outside() });
    expect(outsideRun.code).toBe(3);
    expect(outsideRun.stderr).toMatch(/Target "cache" dropped out: Target "cache": the GitHub Actions cache exists only inside a GitHub Actions job/);
  });

  it('runs on Node 24, as in the Action', async () => {
    const result = await runCli(['backup', '--plan', ws.plan, '--json'], { env: github.jobEnv(8), node: node24() });
    expect(result.code, result.stderr).toBe(0);
    expect(json<{ verdict: { met: boolean } }>(result).verdict.met).toBe(true);
  });
});
