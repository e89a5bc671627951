/**
 * Files read for the repository on worker threads: each thread reads a file
 * into a window, cuts it into chunks (chunker.ts) and names each chunk
 * (SHA-256, or HMAC-SHA-256 under the id key), and hands the window back
 * with the cuts and ids. The main thread only looks the ids up and copies new
 * chunks into their pack. On the main thread, hashing every byte and a
 * thread-pool round trip per open, read, stat and close held up everything
 * else it does (the first backup of a photo library was CPU-bound there
 * while the second core waited).
 *
 * Contract:
 * - Windows are ArrayBuffers moved (transferred, not copied) between the
 *   threads and reused: a fresh buffer per file was memory V8 frees late.
 *   The chunks of one round are views of its window, valid until the caller
 *   asks for the next round (the generator's next step) or returns.
 * - One file at a time per job; a job stays on its thread (its descriptor
 *   lives there). A caller that stops early (an error, an abort) makes the
 *   thread close the file.
 * - Files are read with synchronous calls on the threads: THREADS of them at
 *   once, restic's read concurrency (2) on this machine's kind.
 * - The threads keep the process alive only while a job is open.
 */
import { Worker } from 'node:worker_threads';
import { nextCut, type ChunkerParams, type Gear } from './chunker.js';
import type { IdKey } from './blob.js';

const THREADS = 2;
/** Files under this go in a small window (a thumbnail, a document): SMALL_WINDOWS of them at once. */
export const SMALL_FILE = 1024 * 1024;

export interface FileEnd {
  /** Bytes read. */
  total: number;
  /** The file's size and mtime by fstat once it was read: a file that changed meanwhile says so here. */
  size: bigint;
  mtimeNs: bigint;
}

export interface ReadChunk {
  bytes: Buffer;
  id: string;
}

type Answer =
  | { job: number; buffer: ArrayBuffer; cuts: number[]; ids: string[]; done: false }
  | { job: number; buffer: ArrayBuffer; cuts: number[]; ids: string[]; done: true; total: number; size: string; mtimeNs: string }
  | { job: number; error: string; code?: string };

/**
 * The threads' code: its source runs as eval'd CommonJS, so it names only
 * its arguments (the thread's `require`, the chunker) and what they give.
 */
function readerThread(load: NodeJS.Require, cut: typeof nextCut): void {
  const { parentPort, workerData } = load('node:worker_threads') as typeof import('node:worker_threads');
  const { closeSync, fstatSync, openSync, readSync } = load('node:fs') as typeof import('node:fs');
  const { createHash, createHmac } = load('node:crypto') as typeof import('node:crypto');
  const { gear, params, key } = workerData as { gear: Uint32Array; params: ChunkerParams; key: Uint8Array | null };
  type Open = { fd: number; length: number; start: number; total: number; eof: boolean };
  const jobs = new Map<number, Open>();
  const name = (bytes: Uint8Array) => (key ? createHmac('sha256', key) : createHash('sha256')).update(bytes).digest('hex');
  const fail = (job: number, error: unknown) => {
    const state = jobs.get(job);
    jobs.delete(job);
    if (state) closeQuietly(state.fd);
    const e = error as NodeJS.ErrnoException;
    parentPort!.postMessage({ job, error: String(e?.message ?? e), code: e?.code });
  };
  const closeQuietly = (fd: number) => {
    try {
      closeSync(fd);
    } catch {
      // already closed or gone: nothing held
    }
  };
  const round = (job: number, state: Open, buffer: Buffer) => {
    while (!state.eof && state.length < buffer.length) {
      const n = readSync(state.fd, buffer, state.length, buffer.length - state.length, null);
      if (n === 0) state.eof = true;
      state.length += n;
      state.total += n;
    }
    const cuts: number[] = [];
    const ids: string[] = [];
    let start = 0;
    for (;;) {
      const length = cut(buffer, start, state.length, state.eof, gear, params);
      if (length <= 0) break;
      cuts.push(length);
      ids.push(name(buffer.subarray(start, start + length)));
      start += length;
    }
    state.start = start;
    if (state.eof && start >= state.length) {
      const st = fstatSync(state.fd, { bigint: true });
      closeSync(state.fd);
      jobs.delete(job);
      parentPort!.postMessage({ job, buffer: buffer.buffer, cuts, ids, done: true, total: state.total, size: `${st.size}`, mtimeNs: `${st.mtimeNs}` }, [buffer.buffer as ArrayBuffer]);
    } else parentPort!.postMessage({ job, buffer: buffer.buffer, cuts, ids, done: false }, [buffer.buffer as ArrayBuffer]);
  };
  parentPort!.on('message', (message: { job: number; path?: string; buffer?: ArrayBuffer; cancel?: true }) => {
    const { job } = message;
    try {
      if (message.cancel) {
        const state = jobs.get(job);
        jobs.delete(job);
        if (state) closeQuietly(state.fd);
        return;
      }
      let buffer = Buffer.from(message.buffer!);
      let state = jobs.get(job);
      if (!state) {
        state = { fd: openSync(message.path!, 'r'), length: 0, start: 0, total: 0, eof: false };
        jobs.set(job, state);
      } else {
        // The bytes after the last cut (under one chunk) move to the front; a file that grew past its window gets a wider one.
        const rest = state.length - state.start;
        if (rest + 65536 > buffer.length) {
          const wider = Buffer.from(new ArrayBuffer(Math.min(params.max * 2, rest + (1 << 20))));
          buffer.copy(wider, 0, state.start, state.length);
          buffer = wider;
        } else buffer.copyWithin(0, state.start, state.length);
        state.length = rest;
      }
      round(job, state, buffer);
    } catch (error) {
      fail(job, error);
    }
  });
}

interface Thread {
  worker: Worker;
  open: number;
}

export class ReadPool {
  private threads: Thread[] = [];
  private next = 0;
  private readonly answers = new Map<number, { thread: Thread; resolve: (answer: Answer) => void; reject: (error: Error) => void }>();
  /** Windows handed back, by size: small (SMALL_FILE) and large (two of the largest chunk). */
  private readonly spare = { small: [] as ArrayBuffer[], large: [] as ArrayBuffer[] };

  constructor(
    private readonly gear: Gear,
    private readonly params: ChunkerParams,
    private readonly key: IdKey | null,
  ) {}

  private start(): Thread {
    const worker = new Worker(`(${readerThread.toString()})(require, ${nextCut.toString()})`, {
      eval: true,
      workerData: { gear: this.gear, params: this.params, key: this.key ? new Uint8Array(this.key.key) : null },
    });
    worker.unref();
    const thread: Thread = { worker, open: 0 };
    worker.on('message', (answer: Answer) => {
      const wait = this.answers.get(answer.job);
      this.answers.delete(answer.job);
      wait?.resolve(answer);
    });
    // A thread that died fails every job it held; the next file starts another.
    const died = (error: Error) => {
      this.threads = this.threads.filter((t) => t !== thread);
      for (const [job, wait] of this.answers) {
        if (wait.thread !== thread) continue;
        this.answers.delete(job);
        wait.reject(error);
      }
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`a file reading thread stopped (exit ${code})`)));
    return thread;
  }

  private thread(): Thread {
    if (this.threads.length < THREADS) this.threads.push(this.start());
    return this.threads.reduce((a, b) => (b.open < a.open ? b : a));
  }

  private ask(thread: Thread, job: number, message: object, transfer: ArrayBuffer[]): Promise<Answer> {
    return new Promise((resolve, reject) => {
      this.answers.set(job, { thread, resolve, reject });
      thread.worker.postMessage({ job, ...message }, transfer);
    });
  }

  /**
   * The file's chunks in order, each with its id; returns how much was read
   * and the file's size and mtime after. Rejects with the error (and its
   * `code`) that opening or reading met.
   */
  async *read(path: string, size: number): AsyncGenerator<ReadChunk, FileEnd> {
    const large = size >= SMALL_FILE;
    const windows = large ? this.spare.large : this.spare.small;
    const thread = this.thread();
    const job = this.next++;
    thread.open += 1;
    if (thread.open === 1) thread.worker.ref();
    const standard = large ? this.params.max * 2 : SMALL_FILE;
    // A new window's pages are mapped as they are written: a large one costs what the file fills of it.
    let buffer: ArrayBuffer | undefined = windows.pop() ?? new ArrayBuffer(standard);
    let finished = false;
    try {
      let answer = await this.ask(thread, job, { path, buffer }, [buffer]);
      buffer = undefined;
      for (;;) {
        if ('error' in answer) throw Object.assign(new Error(answer.error), { code: answer.code });
        const bytes = Buffer.from(answer.buffer);
        let start = 0;
        for (const [i, length] of answer.cuts.entries()) {
          yield { bytes: bytes.subarray(start, start + length), id: answer.ids[i]! };
          start += length;
        }
        if (answer.done) {
          finished = true;
          buffer = answer.buffer;
          return { total: answer.total, size: BigInt(answer.size), mtimeNs: BigInt(answer.mtimeNs) };
        }
        answer = await this.ask(thread, job, { buffer: answer.buffer }, [answer.buffer]);
      }
    } finally {
      if (!finished && this.threads.includes(thread)) thread.worker.postMessage({ job, cancel: true });
      // Only windows of the standard sizes are kept: one widened for a file that grew is dropped.
      if (buffer && buffer.byteLength === standard && windows.length < (large ? 2 : 16)) windows.push(buffer);
      thread.open -= 1;
      if (thread.open === 0) thread.worker.unref();
    }
  }

  /** Ends the threads (after a run): what they hold is only windows. */
  async close(): Promise<void> {
    const threads = this.threads;
    this.threads = [];
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }
}
