/**
 * A real OpenSSH server on 127.0.0.1 with throwaway ed25519 host and user
 * keys, its own config and PidFile in a temporary folder, serving SFTP
 * (internal-sftp) to the current user. Stopped by killing its process group,
 * which also ends the sessions it has forked.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort, requireService, waitForPort } from './net.js';

const SSHD = '/usr/sbin/sshd';

export interface Sshd {
  port: number;
  user: string;
  /** The folder the target writes into (exists, empty). */
  root: string;
  dir: string;
  /** "ssh-ed25519 AAAA...", the server's host key for a `host_key:` pin. */
  hostKey: string;
  /** The user's private key, for the plan's ${SFTP_KEY}. */
  privateKey: string;
  target(name: string, extra?: Record<string, unknown>): Record<string, unknown>;
  /** Connections the server has accepted (authenticated) so far, from its log. */
  connections(): number;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Every process below `pid`: sshd's session processes leave its process group (setsid). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  for (let queue = [pid]; queue.length > 0; ) {
    const children = parents.get(queue.shift()!) ?? [];
    out.push(...children);
    queue.push(...children);
  }
  return out;
}

/** Whether this process may make a mount namespace with a tmpfs (root, and unshare present). */
export function canMountTmpfs(): boolean {
  return process.getuid?.() === 0 && existsSync('/usr/bin/unshare');
}

export function sshdAvailable(): boolean {
  return existsSync(SSHD) && existsSync('/usr/bin/ssh-keygen');
}

function keygen(path: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'restorable-test', '-f', path]);
}

/**
 * `tmpfsBytes`: the store is a tmpfs of that size, mounted in sshd's own mount
 * namespace (unshare -m, needs root), so the server runs out of space for real.
 */
export async function startSshd(options: { root?: string; tmpfsBytes?: number } = {}): Promise<Sshd> {
  requireService(`the OpenSSH server (${SSHD}, ssh-keygen)`, sshdAvailable(), 'apt-get install -y openssh-server');
  if (options.tmpfsBytes) requireService('a tmpfs in a mount namespace (root and unshare)', canMountTmpfs(), 'run the tests as root: sudo bash scripts/test.sh');
  const dir = mkdtempSync(join(tmpdir(), 'restorable-sshd-'));
  const root = options.root ?? join(dir, 'store');
  mkdirSync(root, { recursive: true });
  mkdirSync('/run/sshd', { recursive: true });
  keygen(join(dir, 'host_ed25519'));
  keygen(join(dir, 'user_ed25519'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'user_ed25519.pub')));
  const port = await freePort();
  const user = userInfo().username;
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_ed25519')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  );
  execFileSync(SSHD, ['-t', '-f', config]);
  const log = join(dir, 'sshd.log');
  let child: ChildProcess | undefined;
  const start = async () => {
    const proc = options.tmpfsBytes
      ? spawn('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs -o size="$1" tmpfs "$2" && exec "$3" -D -E "$5" -f "$4"', 'sh', String(options.tmpfsBytes), root, SSHD, config, log], { stdio: 'ignore', detached: true })
      : spawn(SSHD, ['-D', '-E', log, '-f', config], { stdio: 'ignore', detached: true });
    child = proc;
    await waitForPort(port, 30_000, () => proc.exitCode === null);
  };
  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = once(proc, 'exit');
    // Sessions first (a stopped server must also drop the uploads in flight), then the listener.
    for (const pid of descendants(proc.pid!)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    process.kill(-proc.pid!, 'SIGKILL');
    await exited;
  };
  await start();
  const [type, base64] = readFileSync(join(dir, 'host_ed25519.pub'), 'utf8').split(' ');
  return {
    port,
    user,
    root,
    dir,
    hostKey: `${type} ${base64}`,
    privateKey: readFileSync(join(dir, 'user_ed25519'), 'utf8'),
    target: (name, extra = {}) => ({ name, type: 'sftp', host: '127.0.0.1', port, user, path: root, private_key: '${SFTP_KEY}', host_key: `${type} ${base64}`, ...extra }),
    connections: () => (existsSync(log) ? readFileSync(log, 'utf8').match(/Accepted publickey/g)?.length ?? 0 : 0),
    stop,
    start,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
