/**
 * Compression codecs as streams: gzip always, zstd through Node's zlib where
 * the runtime has it and else through the `zstd` tool (RESTORABLE_ZSTD=tool
 * forces the tool). Whatever the engine, the bytes are standard: the real
 * `zstd -d` reads what the compressor writes.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Algorithm, type CompressionSetting, compressor, decompressor, describeCodec, extensionFor, zstdEngine } from '../../src/artifacts/codec.js';
import { RunError } from '../../src/errors.js';
import { hasCommand } from '../../src/util/spawn.js';
import { requireService } from '../helpers/net.js';

const MB = 1 << 20;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const zstdToolInstalled = hasCommand('zstd');

/** Incompressible and highly compressible inputs, both a few MB. */
const inputs = {
  random: randomBytes(3 * MB + 17),
  repetitive: Buffer.from('INSERT INTO photos VALUES (1, "IMG_0001.jpg", 4032, 3024);\n'.repeat(60_000)),
};

function chunks(data: Buffer, size = 256 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
    })(),
  );
}

async function collectFrom(source: Readable, ...stages: NodeJS.ReadWriteStream[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      out.push(chunk);
      callback();
    },
  });
  await pipeline([source, ...stages, sink]);
  return Buffer.concat(out);
}

const compress = (data: Buffer, setting: CompressionSetting) => collectFrom(chunks(data), compressor(setting));
const decompress = (data: Buffer, algorithm: Algorithm) => collectFrom(chunks(data, 100_000), decompressor(algorithm));

let dir: string;
let savedZstd: string | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'restorable-codec-'));
  savedZstd = process.env.RESTORABLE_ZSTD;
});
afterEach(() => {
  if (savedZstd === undefined) delete process.env.RESTORABLE_ZSTD;
  else process.env.RESTORABLE_ZSTD = savedZstd;
  rmSync(dir, { recursive: true, force: true });
});

describe('extensionFor', () => {
  it('names files by algorithm', () => {
    expect(extensionFor('zstd')).toBe('.zst');
    expect(extensionFor('gzip')).toBe('.gz');
    expect(extensionFor('none')).toBe('');
  });
});

describe('none', () => {
  it('passes bytes through unchanged', async () => {
    const packed = await compress(inputs.random, { algorithm: 'none' });
    expect(packed.equals(inputs.random)).toBe(true);
    expect((await decompress(packed, 'none')).equals(inputs.random)).toBe(true);
  });
});

describe('gzip', () => {
  it.each(Object.keys(inputs) as (keyof typeof inputs)[])('round-trips %s data', async (kind) => {
    const data = inputs[kind];
    const packed = await compress(data, { algorithm: 'gzip' });
    expect(packed.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const unpacked = await decompress(packed, 'gzip');
    expect(sha256(unpacked)).toBe(sha256(data));
  });

  it('compresses repetitive data, and the level matters', async () => {
    const fast = await compress(inputs.repetitive, { algorithm: 'gzip', level: 1 });
    const best = await compress(inputs.repetitive, { algorithm: 'gzip', level: 9 });
    expect(fast.length).toBeLessThan(inputs.repetitive.length / 10);
    expect(best.length).toBeLessThan(fast.length);
    expect(zlib.gunzipSync(best).equals(inputs.repetitive)).toBe(true);
  });

  it('fails to decode bytes that are not gzip', async () => {
    await expect(decompress(Buffer.from('definitely not gzip data'), 'gzip')).rejects.toThrow(/incorrect header check|unknown compression/);
  });
});

describe('zstd', () => {
  it('prefers the zstd tool (faster: every core), else Node zlib; RESTORABLE_ZSTD pins one', () => {
    const nodeHasZstd = typeof (zlib as unknown as Record<string, unknown>).createZstdCompress === 'function';
    requireService('the zstd tool', zstdToolInstalled, 'apt-get install -y zstd');
    expect(zstdEngine({})).toBe('tool');
    expect(zstdEngine({ RESTORABLE_ZSTD: 'tool' })).toBe('tool');
    expect(zstdEngine({ RESTORABLE_ZSTD: 'zlib' })).toBe(nodeHasZstd ? 'zlib' : null);
    expect(describeCodec({ algorithm: 'zstd', level: 5 })).toMatch(/^zstd level 5 via (Node zlib|the zstd tool)$/);
    expect(describeCodec({ algorithm: 'gzip' })).toBe('gzip level 6');
    expect(describeCodec({ algorithm: 'none' })).toBe('no compression');
  });

  describe.each([
    ['the default engine', undefined],
    ['the zstd tool (RESTORABLE_ZSTD=tool)', 'tool'],
  ])('through %s', (_name, forced) => {
    beforeEach(() => {
      if (forced) process.env.RESTORABLE_ZSTD = forced;
    });

    it.each(Object.keys(inputs) as (keyof typeof inputs)[])('round-trips %s data', async (kind) => {
      const data = inputs[kind];
      const packed = await compress(data, { algorithm: 'zstd' });
      expect(packed.subarray(0, 4)).toEqual(Buffer.from([0x28, 0xb5, 0x2f, 0xfd])); // zstd frame magic
      if (kind === 'repetitive') expect(packed.length).toBeLessThan(data.length / 10);
      const unpacked = await decompress(packed, 'zstd');
      expect(unpacked.length).toBe(data.length);
      expect(sha256(unpacked)).toBe(sha256(data));
    });

    it('writes output that the real `zstd -d` decodes to the input', async () => {
      const data = Buffer.concat([inputs.repetitive, inputs.random]);
      const file = join(dir, 'artifact.zst');
      await pipeline(chunks(data), compressor({ algorithm: 'zstd', level: 9 }), createWriteStream(file));

      const decoded = execFileSync('zstd', ['-q', '-d', '-c', file], { maxBuffer: 64 * MB });

      expect(decoded.length).toBe(data.length);
      expect(sha256(decoded)).toBe(sha256(data));
    });

    it('decodes what the real `zstd` command wrote', async () => {
      const file = join(dir, 'input.bin');
      await pipeline(chunks(inputs.repetitive), createWriteStream(file));
      execFileSync('zstd', ['-q', '-19', file, '-o', `${file}.zst`]);
      const unpacked = await decompress(readFileSync(`${file}.zst`), 'zstd');
      expect(sha256(unpacked)).toBe(sha256(inputs.repetitive));
    });

    it('fails to decode bytes that are not zstd', async () => {
      await expect(decompress(Buffer.from('definitely not a zstd frame'), 'zstd')).rejects.toThrow();
    });
  });

  it('through the tool, a large corrupt artifact fails with the tool\'s own message, not a broken pipe', async () => {
    process.env.RESTORABLE_ZSTD = 'tool';
    const error = await decompress(randomBytes(4 * MB), 'zstd').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RunError);
    expect((error as Error).message).toMatch(/^zstd decompression: zstd failed \(exit 1\): .+/);
  });

  it('round-trips an empty stream', async () => {
    process.env.RESTORABLE_ZSTD = 'tool';
    const packed = await compress(Buffer.alloc(0), { algorithm: 'zstd' });
    expect((await decompress(packed, 'zstd')).length).toBe(0);
  });
});
