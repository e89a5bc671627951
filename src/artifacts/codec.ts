/**
 * Compression codecs as streams. zstd runs through the `zstd` tool when it is
 * on PATH (multi-threaded: about twice as fast as Node's zlib on 2 cores), else
 * in-process through Node's zlib (Node >= 22.15); gzip always works.
 * Node's zstd is used single-threaded: with ZSTD_c_nbWorkers set, Node 24.21
 * fails on compressible input with ERR_STREAM_PUSH_AFTER_EOF. The algorithm
 * is recorded in the manifest and decoding picks the codec from there, never
 * from a file name. RESTORABLE_ZSTD=zlib|tool pins the engine.
 */
import { PassThrough, type Duplex, type Readable, type Writable } from 'node:stream';
import zlib from 'node:zlib';
import { RunError } from '../errors.js';
import { hasCommand, spawnFedReader, spawnReader, spawnTransform } from '../util/spawn.js';

export type Algorithm = 'zstd' | 'gzip' | 'none';
export interface CompressionSetting {
  algorithm: Algorithm;
  level?: number | undefined;
}

/** 1 MiB output chunks: Node's default 16 KiB costs about a quarter of zstd's speed here. */
const CHUNK = 1 << 20;
const DEFAULT_LEVEL: Record<Algorithm, number> = { zstd: 3, gzip: 6, none: 0 };

export function extensionFor(algorithm: Algorithm): string {
  return { zstd: '.zst', gzip: '.gz', none: '' }[algorithm];
}

type ZstdZlib = typeof zlib & {
  createZstdCompress?: (options?: { chunkSize?: number; params?: Record<number, number> }) => Duplex;
  createZstdDecompress?: (options?: { chunkSize?: number }) => Duplex;
  constants: typeof zlib.constants & { ZSTD_c_compressionLevel?: number; ZSTD_c_nbWorkers?: number };
};
const z = zlib as ZstdZlib;

let toolChecked: boolean | undefined;
function zstdTool(): boolean {
  toolChecked ??= hasCommand('zstd');
  return toolChecked;
}

/** How this process can run zstd, or null when it cannot. */
export function zstdEngine(env: NodeJS.ProcessEnv = process.env): 'zlib' | 'tool' | null {
  const inProcess = typeof z.createZstdCompress === 'function';
  if (env.RESTORABLE_ZSTD === 'zlib') return inProcess ? 'zlib' : null;
  if (zstdTool()) return 'tool';
  return inProcess && env.RESTORABLE_ZSTD !== 'tool' ? 'zlib' : null;
}

function noZstd(): RunError {
  return new RunError(`zstd is not available: Node.js ${process.version} has no zstd in zlib and no zstd tool is on PATH.`, {
    hint: 'Install zstd (apt-get install zstd), or run on Node.js 22.15 or later.',
  });
}

export function describeCodec(setting: CompressionSetting): string {
  if (setting.algorithm === 'none') return 'no compression';
  const level = setting.level ?? DEFAULT_LEVEL[setting.algorithm];
  const engine = setting.algorithm === 'zstd' ? ` via ${zstdEngine() === 'zlib' ? 'Node zlib' : 'the zstd tool'}` : '';
  return `${setting.algorithm} level ${level}${engine}`;
}

export function compressor(setting: CompressionSetting): Duplex {
  const level = setting.level ?? DEFAULT_LEVEL[setting.algorithm];
  switch (setting.algorithm) {
    case 'none':
      return new PassThrough();
    case 'gzip':
      return zlib.createGzip({ level, chunkSize: CHUNK });
    case 'zstd': {
      const engine = zstdEngine();
      if (engine === 'zlib') return z.createZstdCompress!({ chunkSize: CHUNK, params: { [z.constants.ZSTD_c_compressionLevel!]: level } });
      if (engine === 'tool') return spawnTransform('zstd', ['-q', '-c', `-${level}`, '-T0'], 'zstd compression');
      throw noZstd();
    }
  }
}

/**
 * The streams that turn a snapshot into its packed bytes, for a pipeline.
 * When the snapshot is a staged file and zstd runs as a tool, the tool reads
 * the file itself: piping a gigabyte through this process first cost about
 * 1.7 s per GiB here (bench/).
 */
export function packing(snapshot: { stream(): Readable; file?: string; feed?: (stdin: Writable) => void }, setting: CompressionSetting): [Readable, ...Duplex[]] {
  if (setting.algorithm === 'zstd' && snapshot.file && zstdEngine() === 'tool') {
    const level = setting.level ?? DEFAULT_LEVEL.zstd;
    return [spawnReader('zstd', ['-q', '-c', `-${level}`, '-T0', '--', snapshot.file], 'zstd compression')];
  }
  // A tool's output (pg_dump) goes straight into zstd's stdin: not copied through this process.
  if (setting.algorithm === 'zstd' && snapshot.feed && zstdEngine() === 'tool') {
    const level = setting.level ?? DEFAULT_LEVEL.zstd;
    return [spawnFedReader('zstd', ['-q', '-c', `-${level}`, '-T0'], 'zstd compression', snapshot.feed)];
  }
  return [snapshot.stream(), compressor(setting)];
}

export function decompressor(algorithm: Algorithm): Duplex {
  switch (algorithm) {
    case 'none':
      return new PassThrough();
    case 'gzip':
      return zlib.createGunzip({ chunkSize: CHUNK });
    case 'zstd': {
      const engine = zstdEngine();
      if (engine === 'zlib') return z.createZstdDecompress!({ chunkSize: CHUNK });
      if (engine === 'tool') return spawnTransform('zstd', ['-q', '-d', '-c'], 'zstd decompression');
      throw noZstd();
    }
  }
}
