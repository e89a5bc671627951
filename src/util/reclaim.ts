/**
 * Frees spent read buffers while a large artifact streams. Every chunk read
 * from a pipe or file is a new Buffer, and V8 collects them only once about
 * 64 MB of such external memory has piled up: measured on a 277 MB dump, node
 * peaked ~50 MB above its resting size (bench/README.md). A minor GC (a
 * scavenge, well under a millisecond here) every 4 MiB streamed frees them
 * while they are still young: 124 -> 94 MB there. Much more often is worse:
 * buffers still in flight survive two scavenges and move to the old space.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options: { type: 'minor' | 'major'; execution: 'sync' }) => void;
let gc: Gc | null | undefined;

function collector(): Gc | null {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as Gc;
    } catch {
      gc = null;
    }
  }
  return gc;
}

/** Call with each chunk's size; collects after every `every` bytes. */
export function reclaimer(every = 4 << 20): (bytes: number) => void {
  let since = 0;
  return (bytes) => {
    since += bytes;
    if (since < every) return;
    since = 0;
    collector()?.({ type: 'minor', execution: 'sync' });
  };
}

/**
 * A full collection now, between the phases of a run that builds large
 * structures from parsed JSON (a repository's indexes, a walk of its trees):
 * V8 frees the big spent arrays only in a full collection, and with a heap
 * limit of gigabytes it lets them pile up; on a million blobs that was ~60 MB
 * of peak RSS. One costs tens of milliseconds.
 */
export function collectNow(): void {
  collector()?.({ type: 'major', execution: 'sync' });
}
