/**
 * Targets agree (issue 12 item 10), through the CLI on three local targets:
 * a drill is recorded on every copy, and retention is decided once for the
 * plan. The drilled backup stays on every target, the backup that missed
 * 3-2-1 goes from every target, and a target lacking a kept backup is named.
 * Deciding per target (as before), usb would have kept the 3-2-1 failure and
 * dropped the drilled backup.
 */
import { existsSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { json, runCli } from '../helpers/cli.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
beforeEach(() => {
  ws = makeWorkspace({ assets: 3 });
});
afterEach(() => ws.cleanup());

const TARGETS = ['nas', 'usb', 'cloud'];
const cli = (...args: string[]) => runCli([...args, '--plan', ws.plan]);
const held = (target: string) => (existsSync(join(ws.target(target), 'testapp')) ? readdirSync(join(ws.target(target), 'testapp')).filter((n) => n !== 'locks').sort() : []);
const idOf = async (...args: string[]) => {
  const result = await cli('backup', '--json', ...args);
  return { code: result.code, id: json<{ id: string }>(result).id, stderr: result.stderr };
};

interface PruneJson {
  targets: { target: string; kept: { id: string; reasons: string[] }[]; removed: { id: string }[]; missing: string[] }[];
}

describe('retention decided once for the plan', () => {
  it('keeps the drilled backup everywhere, removes the one short of 3-2-1 everywhere, names the target that lacks a kept one', async () => {
    const drilled = await idOf();
    expect(drilled.code, drilled.stderr).toBe(0);
    const drill = await cli('drill');
    expect(drill.code, drill.stderr).toBe(0);
    // Recorded with every copy, not only the one the drill read.
    for (const t of TARGETS) expect(existsSync(join(ws.target(t), 'testapp', drilled.id, 'drill.json')), t).toBe(true);

    // The cloud drive is gone for one run: that backup misses 3-2-1 (exit 3) and lands on nas and usb only.
    renameSync(ws.target('cloud'), `${ws.target('cloud')}.away`);
    writeFileSync(ws.target('cloud'), 'not a folder');
    const short = await idOf();
    expect(short.code, short.stderr).toBe(3);
    rmSync(ws.target('cloud'));
    renameSync(`${ws.target('cloud')}.away`, ws.target('cloud'));
    await new Promise((r) => setTimeout(r, 1100)); // ids carry whole seconds

    const newest = await idOf();
    expect(newest.code, newest.stderr).toBe(0);
    rmSync(join(ws.target('usb'), 'testapp', newest.id), { recursive: true }); // usb lost its copy
    expect(held('nas')).toEqual([drilled.id, short.id, newest.id].sort());
    expect(held('usb')).toEqual([drilled.id, short.id].sort());

    ws.writePlan({ ...basePlan(ws.dir), retention: { keep_last: 1 } });
    const pruned = await cli('prune', '--json');
    expect(pruned.code, pruned.stderr).toBe(0);
    const report = json<PruneJson>(pruned);
    expect(held('nas')).toEqual([drilled.id, newest.id].sort());
    expect(held('usb')).toEqual([drilled.id]);
    expect(held('cloud')).toEqual([drilled.id, newest.id].sort());
    const usb = report.targets.find((t) => t.target === 'usb')!;
    expect(usb.removed.map((d) => d.id)).toEqual([short.id]);
    expect(usb.kept.find((d) => d.id === drilled.id)?.reasons).toEqual(['newest backup that passed a drill']);
    expect(usb.missing).toEqual([newest.id]);
    expect(report.targets.find((t) => t.target === 'nas')!.missing).toEqual([]);
    expect(pruned.stderr).toContain(`Target "usb" lacks kept backup(s) that its manifests list: ${newest.id}`);

    // The drill's "passed" survives on every copy: list still shows it.
    const listed = json<{ backups: { id: string; drill: { ok: boolean } | null; targets: string[] }[] }>(await cli('list', '--json')).backups;
    expect(listed.map((b) => [b.id, b.drill?.ok ?? null, b.targets])).toEqual([
      [newest.id, null, ['nas', 'cloud']],
      [drilled.id, true, TARGETS],
    ]);
  }, 120_000);
});
