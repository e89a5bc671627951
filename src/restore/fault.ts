/**
 * Test-only fault points. `RESTORABLE_FAULT=swap:3` makes the process kill
 * itself with SIGKILL (no cleanup, no finally: as a crash or kill -9 would)
 * when it reaches that point; `fail:swap:3` makes it fail there instead, as
 * a disk or server error would. Several may be given, comma-separated.
 * Points: `swap:<n>` just before the n-th step of a restore's swap (counted
 * over all of its sources, in order; n = steps + 1 is after the last step,
 * before the journal says so), `swapped` once the journal records every
 * step made.
 */
import { RunError } from '../errors.js';

export function faultPoint(name: string): void {
  const wanted = process.env.RESTORABLE_FAULT?.split(',') ?? [];
  if (wanted.includes(name)) process.kill(process.pid, 'SIGKILL');
  if (wanted.includes(`fail:${name}`)) throw new RunError(`Fault point ${name} (RESTORABLE_FAULT).`);
}
