/**
 * Compression codecs as streams. zstd runs in-process through Node's zlib
 * where the runtime has it (Node >= 22.15, so always in the Action), else
 * through the `zstd` tool; gzip always works. The algorithm is recorded in the
 * manifest and decoding picks the codec from there, never from a file name.
 */
import { availableParallelism } from 'node:os';
import { PassThrough, type Duplex } from 'node:stream';
import zlib from 'node:zlib';
import { RunError } from '../errors.js';
import { hasCommand, spawnTransform } from '../util/spawn.js';

export type Algorithm = 'zstd' | 'gzip' | 'none';
export interface CompressionSetting {
  algorithm: Algorithm;
  level?: number | undefined;
}

const DEFAULT_LEVEL: Record<Algorithm, number> = { zstd: 3, gzip: 6, none: 0 };

export function extensionFor(algorithm: Algorithm): string {
  return { zstd: '.zst', gzip: '.gz', none: '' }[algorithm];
}

type ZstdZlib = typeof zlib & {
  createZstdCompress?: (options?: { params?: Record<number, number> }) => Duplex;
  createZstdDecompress?: () => Duplex;
  constants: typeof zlib.constants & { ZSTD_c_compressionLevel?: number; ZSTD_c_nbWorkers?: number };
};
const z = zlib as ZstdZlib;

let toolChecked: boolean | undefined;
function zstdTool(): boolean {
  toolChecked ??= hasCommand('zstd');
  return toolChecked;
}

/** How this process can run zstd, or null when it cannot. RESTORABLE_ZSTD=tool forces the tool. */
export function zstdEngine(env: NodeJS.ProcessEnv = process.env): 'zlib' | 'tool' | null {
  if (env.RESTORABLE_ZSTD !== 'tool' && typeof z.createZstdCompress === 'function') return 'zlib';
  return zstdTool() ? 'tool' : null;
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
      return zlib.createGzip({ level });
    case 'zstd': {
      const engine = zstdEngine();
      if (engine === 'zlib') {
        const params: Record<number, number> = { [z.constants.ZSTD_c_compressionLevel!]: level };
        const workers = Math.min(availableParallelism(), 4);
        if (workers > 1 && z.constants.ZSTD_c_nbWorkers !== undefined) params[z.constants.ZSTD_c_nbWorkers] = workers;
        return z.createZstdCompress!({ params });
      }
      if (engine === 'tool') return spawnTransform('zstd', ['-q', '-c', `-${level}`, '-T0'], 'zstd compression');
      throw noZstd();
    }
  }
}

export function decompressor(algorithm: Algorithm): Duplex {
  switch (algorithm) {
    case 'none':
      return new PassThrough();
    case 'gzip':
      return zlib.createGunzip();
    case 'zstd': {
      const engine = zstdEngine();
      if (engine === 'zlib') return z.createZstdDecompress!();
      if (engine === 'tool') return spawnTransform('zstd', ['-q', '-d', '-c'], 'zstd decompression');
      throw noZstd();
    }
  }
}
