/** Host key checking as OpenSSH does it: plain, hashed and [host]:port names, revoked keys, pins. */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkKnownHosts, hostEntryName, hostKeyOf, matchesPin } from '../../src/targets/known-hosts.js';

function blob(type: string, body: string): Buffer {
  const name = Buffer.from(type);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(name.length);
  return Buffer.concat([length, name, Buffer.from(body)]);
}

const key = hostKeyOf(blob('ssh-ed25519', 'server key'));
const other = hostKeyOf(blob('ssh-ed25519', 'impostor'));

describe('known_hosts', () => {
  it('reads the key type and the ssh-keygen fingerprint from the blob', () => {
    expect(key.type).toBe('ssh-ed25519');
    expect(key.fingerprint).toBe(`SHA256:${createHash('sha256').update(blob('ssh-ed25519', 'server key')).digest('base64').replace(/=+$/, '')}`);
  });

  it('names hosts off port 22 as [host]:port, literally (brackets are not a pattern)', () => {
    expect(hostEntryName('backup.example.net', 22)).toBe('backup.example.net');
    const name = hostEntryName('127.0.0.1', 2222);
    expect(checkKnownHosts(`[127.0.0.1]:2222 ${key.type} ${key.base64}\n`, name, key)).toBe('known');
    expect(checkKnownHosts(`127.0.0.1 ${key.type} ${key.base64}\n`, name, key)).toBe('unknown');
    expect(checkKnownHosts(`[1]:2222 ${key.type} ${key.base64}\n`, '1', key)).toBe('unknown');
  });

  it('matches hashed names, lists and wildcards; a different key of the listed type is a change', () => {
    const salt = Buffer.from('0123456789abcdef0123');
    const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('box.lan').digest('base64')}`;
    expect(checkKnownHosts(`${hashed} ${key.type} ${key.base64}`, 'box.lan', key)).toBe('known');
    expect(checkKnownHosts(`a.lan,box.lan ${key.type} ${key.base64}`, 'box.lan', key)).toBe('known');
    expect(checkKnownHosts(`*.lan,!evil.lan ${key.type} ${key.base64}`, 'evil.lan', key)).toBe('unknown');
    expect(checkKnownHosts(`box.lan ${key.type} ${key.base64}`, 'box.lan', other)).toBe('changed');
    expect(checkKnownHosts(`@revoked box.lan ${key.type} ${key.base64}\nbox.lan ${key.type} ${key.base64}`, 'box.lan', key)).toBe('revoked');
    expect(checkKnownHosts('# nothing\n\n', 'box.lan', key)).toBe('unknown');
  });

  it('accepts a pin as a .pub line or a fingerprint, and nothing else', () => {
    expect(matchesPin(`${key.type} ${key.base64} comment`, key)).toBe(true);
    expect(matchesPin(key.fingerprint, key)).toBe(true);
    expect(matchesPin(other.fingerprint, key)).toBe(false);
    expect(matchesPin(`ssh-rsa ${key.base64}`, key)).toBe(false);
  });
});
