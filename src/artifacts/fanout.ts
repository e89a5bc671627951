/**
 * One stream, many consumers, with shared backpressure: every chunk is
 * written to each branch and the next chunk waits until every healthy branch
 * has room. A branch that fails is cut loose and the rest go on, so one slow
 * or broken target never corrupts or stalls the others; only when every
 * branch has failed does the source stop. (`.pipe()` into two consumers has
 * neither property.)
 */
import { once } from 'node:events';
import { PassThrough, Writable, type Readable } from 'node:stream';

/** Raised on the source side when no branch is left to write to. */
export class AllBranchesFailed extends Error {}

export interface BranchResult<T> {
  name: string;
  value?: T;
  error?: unknown;
}

interface Branch<T> {
  name: string;
  input: PassThrough;
  settled: Promise<BranchResult<T>>;
  failed: boolean;
  /** Settles the branch as failed without waiting for its consumer (which may hang on a dead connection). */
  giveUp: (error: Error) => void;
}

/**
 * A branch that takes no bytes for this long is cut loose: a store behind a
 * dead connection must not hold the others (or the lock) forever. Generous,
 * because a multipart upload reads nothing while its parts (8 MiB each) go
 * out over a slow line.
 */
export const STALL_MS = 10 * 60_000;

export function fanout<T>(consumers: { name: string; consume: (input: Readable) => Promise<T> }[], options: { stallMs?: number } = {}): {
  sink: Writable;
  results: Promise<BranchResult<T>[]>;
} {
  const stallMs = options.stallMs ?? STALL_MS;
  const branches: Branch<T>[] = consumers.map(({ name, consume }) => {
    const input = new PassThrough({ highWaterMark: 1 << 20 });
    // A consumer may not be reading yet when an abort destroys its input; its
    // failure reaches us through its promise, so the stream's error event must not crash.
    input.on('error', () => undefined);
    const branch: Branch<T> = { name, input, failed: false, settled: undefined as never, giveUp: () => undefined };
    const stalled = new Promise<never>((_, reject) => (branch.giveUp = reject));
    branch.settled = Promise.race([consume(input), stalled]).then(
      (value) => ({ name, value }),
      (error: unknown) => {
        branch.failed = true;
        input.destroy();
        return { name, error };
      },
    );
    return branch;
  });
  const live = () => branches.filter((b) => !b.failed);
  const allFailed = () => new AllBranchesFailed(`every branch failed: ${branches.map((b) => b.name).join(', ')}`);
  const drained = (b: Branch<T>) => {
    let timer: NodeJS.Timeout | undefined;
    const stall = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        b.failed = true;
        b.giveUp(new Error(`it took no data for ${Math.round(stallMs / 1000)} s (a stalled connection?)`));
        resolve();
      }, stallMs);
    });
    return Promise.race([once(b.input, 'drain'), b.settled, stall])
      .catch(() => undefined)
      .finally(() => clearTimeout(timer));
  };

  const sink = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _encoding, callback) {
      const waits = live()
        .filter((b) => !b.input.write(chunk))
        .map(drained);
      Promise.all(waits).then(() => callback(live().length === 0 ? allFailed() : null));
    },
    final(callback) {
      for (const branch of live()) branch.input.end();
      callback();
    },
    destroy(error, callback) {
      // Called without an error after a normal finish (autoDestroy): branches may still be flushing.
      if (error) for (const branch of live()) branch.input.destroy(error);
      callback(error);
    },
  });
  return { sink, results: Promise.all(branches.map((b) => b.settled)) };
}
