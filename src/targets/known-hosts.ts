/**
 * Host key checking for SFTP, as OpenSSH does it: a key is accepted only when
 * it is pinned in the plan (`host_key:`) or listed for the host in a
 * known_hosts file (plain or hashed host names, `[host]:port` for other
 * ports, `@revoked` honoured). Without this, the first man in the middle gets
 * the backups and the credentials.
 */
import { createHash, createHmac } from 'node:crypto';

export interface HostKey {
  type: string;
  /** The key blob, base64, as in known_hosts and .pub files. */
  base64: string;
  /** SHA256:..., as ssh-keygen -l prints it. */
  fingerprint: string;
}

export function hostKeyOf(blob: Buffer): HostKey {
  const length = blob.length >= 4 ? blob.readUInt32BE(0) : 0;
  const type = blob.subarray(4, 4 + length).toString('latin1') || 'unknown';
  const fingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
  return { type, base64: blob.toString('base64'), fingerprint };
}

/** The name a host has in known_hosts: `host`, or `[host]:port` off port 22. */
export function hostEntryName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globMatch(pattern: string, name: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return regex.test(name);
}

function hostsMatch(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  const patterns = field.split(',');
  if (patterns.some((p) => p.startsWith('!') && globMatch(p.slice(1), name))) return false;
  return patterns.some((p) => !p.startsWith('!') && globMatch(p, name));
}

export type Verdict = 'known' | 'unknown' | 'changed' | 'revoked';

/** Checks `key` against known_hosts text for `name` (from hostEntryName). */
export function checkKnownHosts(text: string, name: string, key: HostKey): Verdict {
  let listed = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0]!.startsWith('@') ? fields.shift() : undefined;
    const [hosts, type, base64] = fields;
    if (!hosts || !type || !base64 || !hostsMatch(hosts, name)) continue;
    if (marker === '@revoked') {
      if (base64 === key.base64) return 'revoked';
      continue;
    }
    if (marker) continue; // @cert-authority: certificates are not supported; such a line proves nothing here
    if (type === key.type) listed = true;
    if (type === key.type && base64 === key.base64) return 'known';
  }
  return listed ? 'changed' : 'unknown';
}

/** A `host_key:` pin: "ssh-ed25519 AAAA..." (as in a .pub file) or a "SHA256:..." fingerprint. */
export function matchesPin(pin: string, key: HostKey): boolean {
  const text = pin.trim();
  if (text.startsWith('SHA256:')) return text.replace(/=+$/, '') === key.fingerprint;
  const [type, base64] = text.split(/\s+/);
  return type === key.type && base64 === key.base64;
}
