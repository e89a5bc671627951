/**
 * Telling a dead run from a live one on this machine. A pid alone is not
 * enough: pids are reused, so a run is named by its pid *and* the start time
 * the kernel records for it (/proc/<pid>/stat, field 22, in clock ticks since
 * boot), and the machine by its machine id, boot id and pid namespace (the
 * start time counts from boot, and a container has pids of its own).
 * Where /proc is missing (macOS) nothing can be proven dead: `provablyDead`
 * then says false and callers keep today's rules.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

/** The start time of `pid` in clock ticks since boot, or undefined when there is no such process (or no /proc). */
export function processStart(pid: number): string | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // The command name (field 2) is in parentheses and may hold spaces or ')': fields are counted after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19]; // field 22 overall: fields[0] is field 3
}

let machine: string | undefined;

/**
 * A short name for this machine, boot and pid namespace. Empty when any part
 * is unknown: then no run can be proven dead here.
 */
export function machineTag(): string {
  if (machine !== undefined) return machine;
  const id = read('/etc/machine-id') || read('/var/lib/dbus/machine-id');
  const boot = read('/proc/sys/kernel/random/boot_id');
  let ns = '';
  try {
    ns = readlinkSync('/proc/self/ns/pid');
  } catch {
    // no /proc
  }
  machine = id && boot && ns ? createHash('sha256').update(`${id}\n${boot}\n${ns}`).digest('hex').slice(0, 12) : '';
  return machine;
}

/** This process, as a run that others can later check. */
export function selfIdentity(): { pid: number; start: string; machine: string } {
  return { pid: process.pid, start: processStart(process.pid) ?? '', machine: machineTag() };
}

/**
 * True only when the run (pid, start) recorded on `machine` is certainly
 * gone: same machine, boot and pid namespace as this process, and no process
 * with that pid, or one that started at another time (a reused pid).
 */
export function provablyDead(run: { pid: number; start?: string | undefined; machine?: string | undefined }): boolean {
  const here = machineTag();
  if (!here || !run.machine || run.machine !== here || !run.start) return false;
  if (!read('/proc/self/stat')) return false;
  const now = processStart(run.pid);
  return now === undefined || now !== run.start;
}
