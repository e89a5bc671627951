/**
 * One contract, every target: each adapter runs the same suite against its
 * real store (a folder, an s3rver process, an OpenSSH sshd), so a new target
 * is proven by the same tests as the old ones.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, RunError } from '../../src/errors.js';
import { createTarget, type TargetConfig } from '../../src/targets/index.js';
import type { Target } from '../../src/targets/target.js';
import { startGitHubServices, type GitHubServices } from '../helpers/github-services.js';
import { startS3, type S3Server } from '../helpers/s3-server.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';

interface Store {
  target: Target;
  /** Called between two writes of one key: GitHub artifacts are immutable within a run, a later run replaces. */
  nextRun?(): void;
  /** The GitHub cache: an entry is never replaced (a second save fails, the first stays), and sizes are the archive's. */
  cacheLike?: boolean;
  /** Where a key lies on this machine's disk, for stores with file modes (a folder, the sshd's folder). */
  onDisk?(key: string): string;
  close(): Promise<void>;
}

/** `modes`: the store has file modes (and opens with `onDisk`). */
const stores: Record<string, { modes?: boolean; open: () => Promise<Store> }> = {
  local: {
    modes: true,
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'restorable-contract-'));
      return {
        target: createTarget({ name: 'disk', type: 'local', path: dir }, { planDir: dir }),
        onDisk: (key) => join(dir, key),
        close: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  s3: {
    open: async () => {
      const server: S3Server = await startS3();
      const config = { ...server.target('bucket'), endpoint: server.endpoint, access_key_id: 'S3RVER', secret_access_key: 'S3RVER' } as TargetConfig;
      return { target: createTarget(config, { planDir: server.dir, env: {} }), close: () => server.close() };
    },
  },
  // The real @actions/artifact client against the protocol-level server; it reads process.env itself.
  'github-artifact': {
    open: async () => {
      const github: GitHubServices = await startGitHubServices();
      const saved = { ...process.env };
      let run = 1;
      Object.assign(process.env, github.jobEnv(run));
      const target = createTarget({ name: 'gh', type: 'github-artifact', retention_days: 5 }, { planDir: tmpdir(), env: process.env });
      return {
        target,
        nextRun: () => void Object.assign(process.env, github.jobEnv(++run)),
        close: async () => {
          for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
          Object.assign(process.env, saved);
          await github.close();
        },
      };
    },
  },
  'github-cache': {
    open: async () => {
      const github: GitHubServices = await startGitHubServices();
      const saved = { ...process.env };
      Object.assign(process.env, github.jobEnv(1));
      const target = createTarget({ name: 'cache', type: 'github-cache' }, { planDir: tmpdir(), env: process.env });
      return {
        target,
        cacheLike: true,
        close: async () => {
          for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
          Object.assign(process.env, saved);
          await github.close();
        },
      };
    },
  },
  sftp: {
    modes: true,
    open: async () => {
      const sshd: Sshd = await startSshd();
      const config = { ...sshd.target('box'), private_key: sshd.privateKey } as TargetConfig;
      return { target: createTarget(config, { planDir: sshd.dir, env: {} }), onDisk: (key) => join(sshd.root, key), close: () => sshd.close() };
    },
  },
};

async function text(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A stream that yields `bytes` then fails, like a source that dies mid-way. */
function failingAfter(bytes: number): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(randomBytes(bytes));
      } else this.destroy(new Error('source died'));
    },
  });
}

for (const [type, store] of Object.entries(stores)) {
  describe(`target contract: ${type}`, () => {
    let opened: Store;
    let target: Target;
    let currentA = 'hello restorable\n';
    beforeAll(async () => {
      opened = await store.open();
      target = opened.target;
    });
    afterAll(() => opened?.close());

    it('probes, then stores and reads back bytes by key', async () => {
      await target.probe();
      const body = Buffer.from('hello restorable\n');
      expect(await target.put('plan/b1/a.txt', Readable.from([body]))).toEqual({ bytes: body.length });
      expect(await text(await target.get('plan/b1/a.txt'))).toEqual(body);
    });

    it('streams a large object (multipart on S3) and returns the same sha256', async () => {
      const data = randomBytes(20 * 1024 * 1024 + 123);
      const chunks = Array.from({ length: Math.ceil(data.length / 65536) }, (_, i) => data.subarray(i * 65536, (i + 1) * 65536));
      expect((await target.put('plan/b1/big.bin', Readable.from(chunks))).bytes).toBe(data.length);
      const back = await text(await target.get('plan/b1/big.bin'));
      expect(createHash('sha256').update(back).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    });

    it('replaces an existing object whole (the cache keeps the first)', async () => {
      opened.nextRun?.();
      const second = target.put('plan/b1/a.txt', Readable.from([Buffer.from('second version')]));
      if (opened.cacheLike) await expect(second).rejects.toBeInstanceOf(RunError);
      else currentA = (await second, 'second version');
      expect((await text(await target.get('plan/b1/a.txt'))).toString()).toBe(currentA);
    });

    it('lists by prefix with sizes, and nothing outside the prefix', async () => {
      await target.put('plan/b2/c.txt', Readable.from([Buffer.from('abc')]));
      await target.put('other/b9/x.txt', Readable.from([Buffer.from('x')]));
      const b1 = await target.list('plan/b1/');
      expect(b1.map((o) => o.key).sort()).toEqual(['plan/b1/a.txt', 'plan/b1/big.bin']);
      const all = await target.list('plan/');
      expect(all.map((o) => o.key).sort()).toEqual(['plan/b1/a.txt', 'plan/b1/big.bin', 'plan/b2/c.txt']);
      if (!opened.cacheLike) expect(all.find((o) => o.key === 'plan/b2/c.txt')!.size).toBe(3);
      expect(all.every((o) => o.modified instanceof Date)).toBe(true);
    });

    // Local, S3 and SFTP read part of an object (a chunk of a pack); the GitHub stores have no ranges.
    it(`${['local', 's3', 'sftp'].includes(type) ? 'reads' : 'offers no'} byte ranges of an object`, async () => {
      if (!['local', 's3', 'sftp'].includes(type)) return expect(target.getRange).toBeUndefined();
      const data = randomBytes(300_000);
      await target.put('ranges/one.bin', Readable.from([data]));
      const range = async (offset: number, length: number) => text(await target.getRange!('ranges/one.bin', offset, length));
      expect((await range(70_000, 150_000)).equals(data.subarray(70_000, 220_000))).toBe(true);
      expect((await range(0, 1)).equals(data.subarray(0, 1))).toBe(true);
      // Past the end: the bytes there are, the caller counts them.
      expect((await range(299_990, 100)).equals(data.subarray(299_990))).toBe(true);
      expect((await range(1234, 0)).length).toBe(0);
      expect((await range(400_000, 10)).length).toBe(0);
      await expect(target.getRange!('ranges/missing.bin', 0, 10)).rejects.toBeInstanceOf(NotFoundError);
      await target.remove(['ranges/one.bin']);
    });

    it('says NotFound for a missing key', async () => {
      await expect(target.get('plan/b1/missing.txt')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('a failed put leaves nothing under the key, and an old object stays as it was', async () => {
      await expect(target.put('plan/b3/new.bin', failingAfter(100_000))).rejects.toBeInstanceOf(RunError);
      await expect(target.get('plan/b3/new.bin')).rejects.toBeInstanceOf(NotFoundError);
      await expect(target.put('plan/b1/a.txt', failingAfter(100_000))).rejects.toBeInstanceOf(RunError);
      expect((await text(await target.get('plan/b1/a.txt'))).toString()).toBe(currentA);
      const leftovers = (await target.list('plan/')).filter((o) => o.key.startsWith('plan/b3/') || !/(a\.txt|big\.bin|c\.txt)$/.test(o.key));
      expect(leftovers).toEqual([]);
    });

    // With the usual umask 022 a file would be -rw-r--r--: an unencrypted dump readable by every account on the NAS.
    if (store.modes) it('writes owner-only: files 0600, the folders it makes 0700', async () => {
      const mode = (key: string) => (statSync(opened.onDisk!(key)).mode & 0o777).toString(8);
      const umask = process.umask(0o022);
      try {
        await target.put('private/b1/dump.sql', Readable.from([Buffer.from('secret rows')]));
        await target.put('private/b1/dump.sql', Readable.from([Buffer.from('secret rows, replaced')]));
        await target.put('private/locks/run.json', Readable.from([Buffer.from('{}')]));
      } finally {
        process.umask(umask);
      }
      try {
        expect({ dump: mode('private/b1/dump.sql'), lock: mode('private/locks/run.json') }).toEqual({ dump: '600', lock: '600' });
        expect({ plan: mode('private'), backup: mode('private/b1'), locks: mode('private/locks') }).toEqual({ plan: '700', backup: '700', locks: '700' });
      } finally {
        await target.remove(['private/b1/dump.sql', 'private/locks/run.json']);
      }
    });

    if (store.modes) it('removes empty folders under a prefix (a kill between mkdir and the first write), never one that holds anything', async () => {
      await target.put('sweep/full/a.txt', Readable.from([Buffer.from('a')]));
      await target.put('sweep/gone/b.txt', Readable.from([Buffer.from('b')]));
      await target.put('sweep/locks/x.json', Readable.from([Buffer.from('{}')]));
      await target.remove(['sweep/locks/x.json']);
      // An empty folder as a killed run leaves it: made, nothing written yet.
      rmSync(opened.onDisk!('sweep/gone/b.txt'));
      expect(await target.removeEmptyFolders!('sweep/', ['locks'])).toEqual(['gone']);
      expect((await target.list('sweep/')).map((o) => o.key)).toEqual(['sweep/full/a.txt']);
      await target.remove(['sweep/full/a.txt']);
    });

    // Two runs' locks: each removes its own, and the one that leaves locks/ empty removes the folder,
    // possibly between the other's mkdir and its open. A put that failed there once let a run go on unlocked.
    if (store.modes) it('a put never fails while another writer empties and removes its folder', async () => {
      const rounds = type === 'local' ? 300 : 40;
      const writer = async (who: string) => {
        for (let i = 0; i < rounds; i++) {
          const key = `race/locks/${who}-${i}.json`;
          await target.put(key, Readable.from([Buffer.from('{}')]));
          await target.remove([key]);
        }
      };
      await Promise.all([writer('a'), writer('b'), writer('c')]);
      expect(await target.list('race/')).toEqual([]);
    });

    it('removes objects, ignoring keys that do not exist', async () => {
      await target.remove(['plan/b1/a.txt', 'plan/b1/big.bin', 'plan/b1/never-was.txt']);
      expect(await target.list('plan/b1/')).toEqual([]);
      expect((await target.list('plan/')).map((o) => o.key)).toEqual(['plan/b2/c.txt']);
    });
  });
}
