/**
 * Test-only fault points: `RESTORABLE_FAULT=swap:3` makes the process kill
 * itself with SIGKILL (no cleanup, no finally: as a crash or kill -9 would)
 * when it reaches that point. Several points may be given, comma-separated.
 * Points: `swap:<n>` just before the n-th step of a restore's swap (counted
 * over all of its sources; n = steps + 1 is after the last step, before the
 * journal says so), `swapped` once the journal records every step made.
 */
export function faultPoint(name: string): void {
  const wanted = process.env.RESTORABLE_FAULT;
  if (wanted && wanted.split(',').includes(name)) process.kill(process.pid, 'SIGKILL');
}
