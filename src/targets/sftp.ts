/**
 * A folder on a server reached over SFTP (OpenSSH or any SFTP server). The host
 * key is checked before anything is sent (known-hosts.ts). Objects are written
 * to a temporary name, fsynced where the server offers fsync@openssh.com, then
 * renamed over the final name with posix-rename@openssh.com (a plain SFTP
 * rename refuses an existing target), so a reader never sees a partial object.
 * Connections are reused: an operation takes an idle one (or opens one) and
 * gives it back when it succeeds; a failed one is closed. Idle connections
 * close after IDLE_MS, or at once when the command ends (util/linger.ts), so
 * nothing keeps the process alive. Files are opened 0600 and folders made
 * 0700 (modes in the open/mkdir request itself, so there is no moment where
 * others can read them; the server's umask can only take bits away).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { posix, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import type SftpClient from 'ssh2-sftp-client';
import type { SFTPWrapper } from 'ssh2';
import { NotFoundError, RestorableError, RunError, reason } from '../errors.js';
import { linger } from '../util/linger.js';
import { isNetworkError, retryBudgetMs, withRetry } from '../util/retry.js';
import { handleReader, handleWriter, settleWithin } from './sftp-streams.js';
import { checkKnownHosts, hostEntryName, hostKeyOf, matchesPin, type HostKey, type Verdict } from './known-hosts.js';
import { DIR_MODE, FILE_MODE, TEMP_PREFIX, retryMessage, type StoredObject, type Target, type TargetAdapter } from './target.js';
import { sftpConfig, sftpTraits, type SftpConfig } from './sftp-config.js';
import { traitsOf } from './configs.js';

const TMP = TEMP_PREFIX;
/** SFTP status codes (draft-ietf-secsh-filexfer-02). */
const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;
const FAILURE = 4;

class HostKeyError extends RunError {}

interface Session {
  client: SftpClient;
  sftp: SFTPWrapper;
  /** The channel closed (the server went away): cleanup calls would never be answered. */
  closed: boolean;
  /**
   * Rejects when the channel closes. ssh2 fails the requests in flight then,
   * but a request made after the close is never answered: every operation
   * races this, so a dead server fails it instead of leaving it pending for ever.
   */
  lost: Promise<never>;
  /** Set while the session waits in the pool: it closes the session when it fires. */
  idleTimer?: NodeJS.Timeout;
}

/**
 * How long a connection may wait for the next operation. Short: a server or
 * a NAT that drops idle connections silently would make a reused one hang
 * until the keepalive gives up; within a run, operations come closer than this.
 */
const IDLE_MS = 3_000;
/** Idle connections kept per target; more concurrent operations open more and close the extra ones. */
const POOL = 4;
/** Folders listed at once on one session (SFTP answers requests in flight in any order). */
const FOLDERS_AT_ONCE = 16;

function sftpCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

function transient(error: unknown): boolean {
  // Typed errors (host key, refused key) are decisions, not accidents.
  if (error instanceof RestorableError) return false;
  const level = (error as { level?: string })?.level;
  return isNetworkError(error) || level === 'client-timeout' || level === 'client-socket';
}

class SftpTarget implements Target {
  readonly type = 'sftp';
  readonly where: string;
  private readonly root: string;
  private readonly port: number;
  private readonly idle: Session[] = [];
  private unlinger: (() => void) | undefined;

  constructor(
    readonly name: string,
    private readonly config: SftpConfig,
    readonly medium: Target['medium'],
    readonly offsite: boolean,
    readonly immutable: boolean,
    private readonly planDir: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly onRetry?: (message: string) => void,
  ) {
    this.port = config.port ?? 22;
    this.root = posix.normalize(config.path).replace(/\/+$/, '') || '/';
    this.where = `sftp://${config.user}@${config.host}${this.port === 22 ? '' : `:${this.port}`}${this.root.startsWith('/') ? '' : '/~/'}${this.root}`;
  }

  private remote(key: string): string {
    const normal = posix.normalize(key);
    if (normal.startsWith('../') || normal === '..' || posix.isAbsolute(normal)) throw new RunError(`Invalid object key: ${key}`);
    return posix.join(this.root, normal);
  }

  private knownHostsText(): string | undefined {
    const value = this.config.known_hosts;
    if (value && /\s/.test(value.trim())) return value; // the file's text, from ${VAR}
    const path = value ? resolve(this.planDir, value) : resolve(this.env.HOME ?? homedir(), '.ssh', 'known_hosts');
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  }

  private hostKeyProblem(key: HostKey, verdict: Verdict | 'pin-mismatch'): HostKeyError {
    const host = hostEntryName(this.config.host, this.port);
    const pin = `host_key: "${key.type} ${key.base64}"`;
    if (verdict === 'unknown') {
      return new HostKeyError(`Target "${this.name}": the host key of ${host} is unknown (${key.type} ${key.fingerprint}); nothing was sent.`, {
        hint: `Compare that fingerprint with the server's own (ssh-keygen -lf /etc/ssh/ssh_host_${key.type.replace(/^ssh-/, '')}_key.pub on the server). If it matches, pin it in the target: ${pin} (or add the key to known_hosts: ssh-keyscan -p ${this.port} ${this.config.host} >> ~/.ssh/known_hosts).`,
      });
    }
    return new HostKeyError(`Target "${this.name}": the host key of ${host} (${key.type} ${key.fingerprint}) does ${verdict === 'revoked' ? 'appear as @revoked' : 'NOT match the one pinned or in known_hosts'}; nothing was sent.`, {
      hint: 'Someone may be intercepting the connection, or the server was reinstalled. Check with its admin before you change host_key or known_hosts.',
    });
  }

  private async connectOnce(): Promise<Session> {
    let problem: HostKeyError | undefined;
    const verify = (blob: Buffer): boolean => {
      const key = hostKeyOf(blob);
      if (this.config.host_key !== undefined) {
        if (matchesPin(this.config.host_key, key)) return true;
        problem = this.hostKeyProblem(key, 'pin-mismatch');
        return false;
      }
      const verdict = checkKnownHosts(this.knownHostsText() ?? '', hostEntryName(this.config.host, this.port), key);
      if (verdict === 'known') return true;
      problem = this.hostKeyProblem(key, verdict);
      return false;
    };
    // Own event handlers: the library's defaults print to stdout and stderr.
    // Loaded on first use, like the S3 SDK: a chunk of its own in the bundle.
    const { default: Client } = await import('ssh2-sftp-client');
    const client = new Client(this.name, { error: () => undefined, end: () => undefined, close: () => undefined });
    try {
      const sftp = (await client.connect({
        host: this.config.host,
        port: this.port,
        username: this.config.user,
        privateKey: this.config.private_key,
        ...(this.config.passphrase ? { passphrase: this.config.passphrase } : {}),
        hostVerifier: verify,
        readyTimeout: 20_000,
        // A server that stops answering is given up after about a minute, not waited on for ever.
        keepaliveInterval: 15_000,
        keepaliveCountMax: 4,
      })) as unknown as SFTPWrapper;
      // Nagle's algorithm against the server's delayed ACK held every small request 40 ms: a manifest read took 87 ms on loopback.
      (client as unknown as { client: { setNoDelay(on: boolean): void } }).client.setNoDelay(true);
      let markLost: (error: Error) => void = () => undefined;
      const lost = new Promise<never>((_resolve, reject) => (markLost = reject));
      lost.catch(() => undefined); // raced by whoever is running; a closed idle session fails no one
      const session: Session = { client, sftp, closed: false, lost };
      sftp.once('close', () => {
        session.closed = true;
        markLost(Object.assign(new Error('Connection lost: the SFTP channel closed'), { code: 'ECONNRESET' }));
      });
      return session;
    } catch (error) {
      await settleWithin(client.end());
      if (problem) throw problem;
      const text = reason(error);
      if (/authentication methods failed|privateKey|parse/i.test(text)) {
        throw new RunError(`Target "${this.name}": ${this.config.user}@${this.config.host} refused the key: ${text}`, {
          hint: `Check private_key (its public half must be in ~${this.config.user}/.ssh/authorized_keys on the server) and passphrase.`,
          cause: error,
        });
      }
      throw error;
    }
  }

  /** An idle session from the pool, or a new connection (retried within the budget). */
  private async acquire(): Promise<Session> {
    for (let session = this.idle.pop(); session; session = this.idle.pop()) {
      clearTimeout(session.idleTimer);
      if (!session.closed) return session;
    }
    const budget = this.config.retry_for ?? retryBudgetMs(this.env);
    return withRetry(() => this.connectOnce(), {
      transient,
      totalMs: budget,
      place: `sftp://${this.config.user}@${this.config.host}:${this.port}`,
      onRetry: (error, attempt, delay) => this.onRetry?.(retryMessage(this.name, error, attempt, delay, budget)),
    });
  }

  /** Gives a session that just finished an operation back to the pool. */
  private release(session: Session): void {
    if (session.closed) return;
    if (this.idle.length >= POOL) {
      void settleWithin(session.client.end());
      return;
    }
    session.idleTimer = setTimeout(() => {
      const at = this.idle.indexOf(session);
      if (at >= 0) this.idle.splice(at, 1);
      void settleWithin(session.client.end());
    }, IDLE_MS);
    this.idle.push(session);
    this.unlinger ??= linger(() => this.closeIdle());
  }

  private async closeIdle(): Promise<void> {
    this.unlinger = undefined;
    const all = this.idle.splice(0);
    await Promise.all(all.map((session) => (clearTimeout(session.idleTimer), settleWithin(session.client.end()))));
  }

  /**
   * Runs `run` on a session. On success the session goes back to the pool,
   * unless `keepOpen`: then `run` has handed it to something that lives on
   * (a read stream) and releases it itself. On failure it is closed (a
   * request may still be pending on it), except after a clean "not found".
   */
  private async session<T>(doing: string, run: (session: Session) => Promise<T>, keepOpen = false): Promise<T> {
    let session: Session;
    try {
      session = await this.acquire();
    } catch (error) {
      throw this.fail(doing, error);
    }
    try {
      const result = await Promise.race([run(session), session.lost]);
      if (!keepOpen) this.release(session);
      return result;
    } catch (error) {
      // "No such object" is a clean answer on a healthy session.
      if (error instanceof NotFoundError) this.release(session);
      else if (!session.closed) await settleWithin(session.client.end());
      if (error instanceof NotFoundError || error instanceof RunError) throw error;
      throw this.fail(doing, error);
    }
  }

  private fail(doing: string, error: unknown): RunError {
    if (error instanceof RunError) return error;
    const code = sftpCode(error);
    const hint =
      code === PERMISSION_DENIED
        ? `Permission denied on the server: ${this.config.user} must be able to write ${this.root}.`
        : code === FAILURE
          ? 'The server refused the write without saying why: a full disk or a quota is the usual cause. Free space there and run again.'
          : code === NO_SUCH_FILE
            ? `The folder ${this.root} does not exist on the server: create it first.`
            : isNetworkError(error) || /No response from server|connection closed|Connection lost/i.test(reason(error))
              ? 'The server could not be reached or dropped the connection: check host, port and that sshd is running.'
              : undefined;
    return new RunError(`Target "${this.name}" (${this.where}): ${doing} failed: ${reason(error)}`, { hint, cause: error });
  }

  async probe(): Promise<void> {
    await this.session('checking the folder', async ({ sftp }) => {
      const stats = await promisify(sftp.stat.bind(sftp))(this.root).catch((error: unknown) => {
        if (sftpCode(error) === NO_SUCH_FILE) throw new RunError(`Target "${this.name}": the folder ${this.root} does not exist on ${this.config.host}.`, { hint: 'Create it on the server first (restorable never creates the root folder).' });
        throw error;
      });
      if (!stats.isDirectory()) throw new RunError(`Target "${this.name}": ${this.root} on ${this.config.host} is not a folder.`);
    });
  }

  private async mkdirs(sftp: SFTPWrapper, dir: string): Promise<void> {
    if (dir === this.root || dir === '/' || dir === '.') return;
    const exists = await promisify(sftp.stat.bind(sftp))(dir).then(() => true, () => false);
    if (exists) return;
    await this.mkdirs(sftp, posix.dirname(dir));
    await new Promise<void>((resolve, reject) => sftp.mkdir(dir, { mode: DIR_MODE }, (error) => (error ? reject(error) : resolve()))).catch(async (error: unknown) => {
      // Another writer may have made it meanwhile (OpenSSH says EEXIST as a plain "Failure")...
      const gone = await promisify(sftp.stat.bind(sftp))(dir).then(() => undefined, (statError: unknown) => statError);
      if (gone === undefined) return;
      // ...and removed it again since: "no such file", which createInFolder answers by making it again.
      throw sftpCode(error) === FAILURE && sftpCode(gone) === NO_SUCH_FILE ? gone : error;
    });
  }

  /**
   * Creates a new file, making its folder first. Another run's remove() takes
   * away a folder it leaves empty (a plan's locks/ between two runs), and it may
   * do so between our mkdir and our open: the open (or a mkdir below it) then
   * says "no such file" and the folders are made again.
   */
  private async createInFolder(sftp: SFTPWrapper, path: string): Promise<Buffer> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.mkdirs(sftp, posix.dirname(path));
        return await new Promise<Buffer>((resolve, reject) => sftp.open(path, 'wx', { mode: FILE_MODE }, (error, handle) => (error ? reject(error) : resolve(handle))));
      } catch (error) {
        if (sftpCode(error) !== NO_SUCH_FILE || attempt >= 20) throw error;
      }
    }
  }

  async put(key: string, body: Readable): Promise<{ bytes: number }> {
    const final = this.remote(key);
    const temp = posix.join(posix.dirname(final), `${TMP}${randomBytes(6).toString('hex')}`);
    let bytes = 0;
    try {
      return await this.session(`writing ${key}`, async (session) => {
        const { sftp } = session;
        try {
          const handle = await this.createInFolder(sftp, temp);
          let open = true;
          try {
            // Counted only now: a 'data' listener set earlier would let bytes flow away before the pipe exists.
            body.on('data', (chunk: Buffer) => (bytes += chunk.length));
            await pipeline(body, handleWriter(sftp, handle));
            // A server without fsync@openssh.com says so at once (then durability is its close); any other fsync error fails the copy.
            await promisify(sftp.ext_openssh_fsync.bind(sftp))(handle).catch((error: unknown) => {
              if (!/does not support/i.test(reason(error))) throw error;
            });
            open = false;
            await promisify(sftp.close.bind(sftp))(handle);
          } finally {
            if (open && !session.closed) await settleWithin(promisify(sftp.close.bind(sftp))(handle));
          }
          await promisify(sftp.ext_openssh_rename.bind(sftp))(temp, final);
          return { bytes };
        } catch (error) {
          if (!session.closed) await settleWithin(promisify(sftp.unlink.bind(sftp))(temp));
          throw error;
        }
      });
    } catch (error) {
      body.destroy();
      throw error;
    }
  }

  async get(key: string): Promise<Readable> {
    return this.read(key);
  }

  async getRange(key: string, offset: number, length: number): Promise<Readable> {
    return this.read(key, { offset, length });
  }

  private async read(key: string, range?: { offset: number; length: number }): Promise<Readable> {
    const path = this.remote(key);
    return this.session(
      `reading ${key}`,
      async (session) => {
        const { sftp, lost } = session;
        const handle = await promisify(sftp.open.bind(sftp))(path, 'r').catch((error: unknown) => {
          if (sftpCode(error) === NO_SUCH_FILE) throw new NotFoundError(`Target "${this.name}" has no ${key}.`);
          throw error;
        });
        const { size } = await promisify(sftp.fstat.bind(sftp))(handle);
        const start = range ? Math.min(range.offset, size) : 0;
        const stream = handleReader(sftp, handle, start, range ? Math.min(size, start + range.length) : size, lost);
        // The connection serves the stream until its end, then the next operation (the handle's close
        // goes out first on it); a stream that failed or was left half read takes its connection with it.
        let whole = false;
        stream.once('end', () => {
          whole = true;
          void settleWithin(promisify(sftp.close.bind(sftp))(handle));
          this.release(session);
        });
        stream.once('close', () => {
          if (!whole && !session.closed) void settleWithin(session.client.end());
        });
        return stream;
      },
      true,
    );
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const start = prefix.endsWith('/') ? prefix.slice(0, -1) : posix.dirname(prefix);
    return this.session(`listing ${prefix}`, async ({ sftp }) => {
      const objects: StoredObject[] = [];
      const readdir = promisify(sftp.readdir.bind(sftp)) as (path: string) => Promise<{ filename: string; attrs: { size: number; mtime: number; isDirectory(): boolean; isFile(): boolean } }[]>;
      const read = async (rel: string): Promise<string[]> => {
        let entries;
        try {
          entries = await readdir(rel === '.' || rel === '' ? this.root : this.remote(rel));
        } catch (error) {
          if (sftpCode(error) === NO_SUCH_FILE) return [];
          throw error;
        }
        const folders: string[] = [];
        for (const entry of entries) {
          const key = rel === '.' || rel === '' ? entry.filename : `${rel}/${entry.filename}`;
          if (entry.attrs.isDirectory()) folders.push(key);
          else if (entry.attrs.isFile() && key.startsWith(prefix)) objects.push({ key, size: entry.attrs.size, modified: new Date(entry.attrs.mtime * 1000) });
        }
        return folders;
      };
      // A folder at a time was a few round trips each, in a row: a repository's 256 pack folders took 1.8 s on loopback.
      for (let level = [start]; level.length > 0; ) {
        const next: string[] = [];
        for (let at = 0; at < level.length; at += FOLDERS_AT_ONCE) {
          for (const folders of await Promise.all(level.slice(at, at + FOLDERS_AT_ONCE).map(read))) next.push(...folders);
        }
        level = next;
      }
      return objects;
    });
  }

  async removeEmptyFolders(prefix: string, keep: readonly string[]): Promise<string[]> {
    const dir = this.remote(prefix.replace(/\/+$/, '') || '.');
    return this.session(`clearing empty folders under ${prefix}`, async ({ sftp }) => {
      const entries = await promisify(sftp.readdir.bind(sftp))(dir).catch(() => []);
      const removed: string[] = [];
      for (const entry of entries) {
        if (!entry.attrs.isDirectory() || keep.includes(entry.filename)) continue;
        // rmdir refuses a folder that holds anything: only empty ones go.
        if (await promisify(sftp.rmdir.bind(sftp))(posix.join(dir, entry.filename)).then(() => true, () => false)) removed.push(entry.filename);
      }
      return removed;
    });
  }

  async remove(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.session('removing objects', async ({ sftp }) => {
      const dirs = new Set<string>();
      for (const key of keys) {
        const path = this.remote(key);
        await promisify(sftp.unlink.bind(sftp))(path).catch((error: unknown) => {
          if (sftpCode(error) !== NO_SUCH_FILE) throw error;
        });
        dirs.add(posix.dirname(path));
      }
      // Empty backup folders go too; a folder that still holds anything stays.
      for (const dir of dirs) {
        for (let at = dir; at.startsWith(`${this.root}/`); at = posix.dirname(at)) {
          if (!(await promisify(sftp.rmdir.bind(sftp))(at).then(() => true, () => false))) break;
        }
      }
    });
  }
}

export const sftp: TargetAdapter<SftpConfig> = {
  type: 'sftp',
  schema: sftpConfig,
  ...sftpTraits,
  create: (config, ctx) =>
    new SftpTarget(
      config.name,
      config,
      traitsOf(config).medium,
      traitsOf(config).offsite,
      traitsOf(config).immutable,
      ctx.planDir,
      ctx.env ?? process.env,
      ctx.onRetry,
    ),
};
