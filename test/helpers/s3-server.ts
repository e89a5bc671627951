/**
 * A real S3-protocol server (s3rver, from npm) in its own process on
 * 127.0.0.1, storing in a temporary folder. It can be stopped (the process
 * group is killed, mid-request if need be) and started again on the same
 * port and data, to test a store that goes away.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { ROOT } from './cli.js';
import { freePort, requireService, waitForPort } from './net.js';

const BIN = join(ROOT, 'node_modules', 's3rver', 'bin', 's3rver.js');

export interface S3Server {
  endpoint: string;
  bucket: string;
  dir: string;
  /** s3rver's fixed credentials, given to the plan through ${VAR}. */
  env: { S3_ENDPOINT: string; AWS_ACCESS_KEY_ID: string; AWS_SECRET_ACCESS_KEY: string };
  /** A plan target for this server. */
  target(name: string, extra?: Record<string, unknown>): Record<string, unknown>;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export function s3rverAvailable(): boolean {
  return existsSync(BIN);
}

export async function startS3(bucket = 'restorable-test'): Promise<S3Server> {
  requireService(`s3rver (${BIN})`, s3rverAvailable(), 'npm ci (s3rver is a dev dependency)');
  const dir = mkdtempSync(join(tmpdir(), 'restorable-s3-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const proc = spawn(process.execPath, [BIN, '-d', dir, '-a', '127.0.0.1', '-p', String(port), '-s', '--configure-bucket', bucket], { stdio: 'ignore', detached: true });
    child = proc;
    await waitForPort(port, 30_000, () => proc.exitCode === null);
  };
  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = once(proc, 'exit');
    process.kill(-proc.pid!, 'SIGKILL');
    await exited;
  };
  await start();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    dir,
    env: { S3_ENDPOINT: endpoint, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' },
    target: (name, extra = {}) => ({ name, type: 's3', bucket, endpoint: '${S3_ENDPOINT}', region: 'us-east-1', path_style: true, prefix: 'backups/', ...extra }),
    stop,
    start,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
