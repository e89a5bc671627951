/**
 * Connections kept open between operations so that the next one skips a
 * handshake (an SSH connection costs 0.4 s on loopback, a round trip or more
 * over a real link). Each owner registers how to close what it keeps; the
 * entry points (cli/bin.ts, action/main.ts) close everything once their work
 * is done, so an idle connection never keeps the process alive. Owners also
 * close their idle connections by themselves after a short while, so a caller
 * that forgets costs seconds, never a hang.
 */
const closers = new Set<() => Promise<void>>();

/** Registers `close` (idempotent, never throws) until the returned function is called. */
export function linger(close: () => Promise<void>): () => void {
  closers.add(close);
  return () => closers.delete(close);
}

/** Closes every lingering connection. */
export async function closeLingering(): Promise<void> {
  const all = [...closers];
  closers.clear();
  await Promise.all(all.map((close) => close()));
}
