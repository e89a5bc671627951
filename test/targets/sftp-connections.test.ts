/**
 * The SFTP target reuses its connections: a handshake costs 0.4 s on loopback
 * (more over a real link), and a repository backup makes dozens of operations.
 * Counted by the real sshd's log of accepted logins.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NotFoundError } from '../../src/errors.js';
import { createTarget, type TargetConfig } from '../../src/targets/index.js';
import { closeLingering } from '../../src/util/linger.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';

let sshd: Sshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await closeLingering();
  await sshd?.close();
});

const box = () => createTarget({ ...sshd.target('box'), private_key: sshd.privateKey } as TargetConfig, { planDir: sshd.dir, env: {} });
const read = async (stream: Readable) => Buffer.concat(await stream.toArray());

it('one connection serves operations in a row, a clean "not found" included', async () => {
  const target = box();
  const before = sshd.connections();
  const data = randomBytes(3 << 20);
  await target.put('a/one', Readable.from([data]));
  await target.put('a/two', Readable.from([data.subarray(0, 1000)]));
  expect((await read(await target.get('a/one'))).equals(data)).toBe(true);
  await expect(target.get('a/missing')).rejects.toBeInstanceOf(NotFoundError);
  expect((await target.list('a/')).map((o) => o.key).sort()).toEqual(['a/one', 'a/two']);
  await target.remove(['a/two']);
  expect((await target.list('a/')).map((o) => o.key)).toEqual(['a/one']);
  expect(sshd.connections() - before).toBe(1);
});

it('concurrent operations open more connections; a stream left half read takes its connection with it', async () => {
  const target = box();
  const before = sshd.connections();
  const data = randomBytes(1 << 20);
  await Promise.all(['b/1', 'b/2', 'b/3'].map((key) => target.put(key, Readable.from([data]))));
  const opened = sshd.connections() - before;
  expect(opened).toBeGreaterThan(1);
  expect(opened).toBeLessThanOrEqual(3);
  // Read in a row afterwards: the pooled ones serve, nothing new is opened.
  for (const key of ['b/1', 'b/2', 'b/3']) expect((await read(await target.get(key))).equals(data)).toBe(true);
  expect(sshd.connections() - before).toBe(opened);
  // Abandoned mid-read: reads may still be in flight on it, so it is not handed to the next operation.
  const alone = box();
  const start = sshd.connections();
  const stream = await alone.get('b/1');
  stream.destroy();
  await sleep(50);
  await alone.list('b/');
  expect(sshd.connections() - start).toBe(2);
});

it('closeLingering ends the idle connections (the CLI and the Action call it at their end)', async () => {
  const target = box();
  await target.list('');
  const log = join(sshd.dir, 'sshd.log');
  const closedBefore = readFileSync(log, 'utf8').match(/Disconnected from user|Received disconnect/g)?.length ?? 0;
  await closeLingering();
  // sshd logs the disconnect as it handles it.
  for (let i = 0; i < 100 && (readFileSync(log, 'utf8').match(/Disconnected from user|Received disconnect/g)?.length ?? 0) === closedBefore; i++) await sleep(20);
  expect(readFileSync(log, 'utf8').match(/Disconnected from user|Received disconnect/g)?.length ?? 0).toBeGreaterThan(closedBefore);
});

it('a pooled connection the server dropped while idle is not used: the next operation connects again', async () => {
  const target = box();
  await target.put('c/one', Readable.from([Buffer.from('one')]));
  await sshd.stop();
  await sshd.start();
  const before = sshd.connections();
  expect((await read(await target.get('c/one'))).toString()).toBe('one');
  expect(sshd.connections() - before).toBe(1);
});
