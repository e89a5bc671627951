/** Free ports and waiting for a server to listen, for the servers the tests start. */
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, timeoutMs = 30_000, alive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`the server on port ${port} exited before it listened`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(100);
  }
  throw new Error(`nothing listened on port ${port} within ${timeoutMs} ms`);
}

/** Installs everything the suite needs (apt-get as root or with sudo, npm, Node 24): the README's test command, stopping before the tests. */
export const SETUP = 'bash scripts/test.sh --setup-only';

/**
 * The suite's one rule for a tool or service it needs (a server, a binary, a
 * dev dependency): present, or this throws, with the command that installs
 * it. Never a skip, with or without CI: a suite that skips looks green on the
 * machine where it proves least. Call it where the service is used: in a
 * helper that starts it, at the top of a file, or in the one test that needs it.
 */
export function requireService(what: string, present: boolean, install: string): asserts present {
  if (!present) throw new Error(`${what} is missing: ${install} (or ${SETUP}, which installs everything the tests need)`);
}
