/**
 * SHA-256 of a local file, read and hashed on a worker thread. A backup
 * proves each pack it writes by reading it back; on a local target that is
 * 16 MiB of reads and hashing per pack, which on the main thread waited
 * behind (and held up) the chunking and hashing of the next files. One
 * worker, started on first use; it keeps the process alive only while a
 * file is being hashed. Files are hashed one after another, 1 MiB at a time.
 */
import { Worker } from 'node:worker_threads';

// Plain CommonJS run with `eval`: nothing to bundle or resolve next to dist/.
const CODE = `
const { parentPort } = require('node:worker_threads');
const { closeSync, openSync, readSync } = require('node:fs');
const { createHash } = require('node:crypto');
const buffer = Buffer.allocUnsafe(1 << 20);
parentPort.on('message', ({ id, path }) => {
  let fd;
  try {
    fd = openSync(path, 'r');
    const hash = createHash('sha256');
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
      length += n;
    }
    parentPort.postMessage({ id, sha256: hash.digest('hex'), length });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error), code: error && error.code });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
});
`;

type Answer = { id: number; sha256: string; length: number } | { id: number; error: string; code?: string };

let worker: Worker | undefined;
let next = 0;
const waiting = new Map<number, { resolve: (d: { sha256: string; length: number }) => void; reject: (e: Error) => void }>();

function start(): Worker {
  const started = new Worker(CODE, { eval: true });
  started.unref();
  started.on('message', (answer: Answer) => {
    const wait = waiting.get(answer.id);
    if (!wait) return;
    waiting.delete(answer.id);
    if (waiting.size === 0) started.unref();
    if ('error' in answer) wait.reject(Object.assign(new Error(answer.error), { code: answer.code }));
    else wait.resolve({ sha256: answer.sha256, length: answer.length });
  });
  // A worker that died fails what it held; the next call starts another.
  const fail = (error: Error) => {
    if (worker === started) worker = undefined;
    for (const wait of waiting.values()) wait.reject(error);
    waiting.clear();
  };
  started.on('error', fail);
  started.on('exit', (code) => fail(new Error(`the hashing thread stopped (exit ${code})`)));
  return started;
}

/** The file's SHA-256 (hex) and length; rejects with the error (and its code) that reading it met. */
export function digestFile(path: string): Promise<{ sha256: string; length: number }> {
  worker ??= start();
  const id = next++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    worker!.ref();
    worker!.postMessage({ id, path });
  });
}
