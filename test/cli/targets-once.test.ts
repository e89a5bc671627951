/**
 * A command makes the plan's targets once: the objects that take the lock
 * are the ones the backup, restore or drill then uses. Each made its own
 * before, so an SFTP target logged in twice per run (a handshake is 0.4 s on
 * loopback, more over a real link). Counted by the real sshd's log.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';

let sshd: Sshd;
let ws: Workspace;
beforeAll(async () => {
  sshd = await startSshd();
  ws = makeWorkspace({ assets: 3 });
  const plan = basePlan(ws.dir);
  // The SFTP target alone: every operation of the run goes through it, one at a time.
  ws.writePlan({ ...plan, targets: [sshd.target('box')], policy: { rule: { copies: 2, media: 1, offsite: 0 } } });
});
afterAll(async () => {
  ws?.cleanup();
  await sshd?.close();
});

const env = { SFTP_KEY: '' };

it('backup, restore and drill each log in to the SFTP server once', async () => {
  env.SFTP_KEY = sshd.privateKey;
  for (const command of [['backup'], ['restore'], ['drill']]) {
    const before = sshd.connections();
    const run = await runCli([...command, '--plan', ws.plan], { env });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(sshd.connections() - before, `${command[0]}: ${run.stderr}`).toBe(1);
  }
}, 180_000);
