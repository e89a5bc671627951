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
}

export function fanout<T>(consumers: { name: string; consume: (input: Readable) => Promise<T> }[]): {
  sink: Writable;
  results: Promise<BranchResult<T>[]>;
} {
  const branches: Branch<T>[] = consumers.map(({ name, consume }) => {
    const input = new PassThrough({ highWaterMark: 1 << 20 });
    // A consumer may not be reading yet when an abort destroys its input; its
    // failure reaches us through its promise, so the stream's error event must not crash.
    input.on('error', () => undefined);
    const branch: Branch<T> = { name, input, failed: false, settled: undefined as never };
    branch.settled = consume(input).then(
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

  const sink = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _encoding, callback) {
      const waits = live()
        .filter((b) => !b.input.write(chunk))
        .map((b) => Promise.race([once(b.input, 'drain'), b.settled]).catch(() => undefined));
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
