/** A `type: sftp` target's plan entry and traits: a folder on an SSH server. */
import { z } from 'zod';
import { retryFor, targetBase, type TargetTraits } from './target.js';

export const sftpConfig = z.strictObject({
  ...targetBase,
  type: z.literal('sftp'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).optional(),
  user: z.string().min(1),
  /** The folder on the server; it must exist. */
  path: z.string().min(1),
  /** The private key itself (OpenSSH or PEM), from `${VAR}`. */
  private_key: z.string().min(1),
  passphrase: z.string().optional(),
  /** Pin: "ssh-ed25519 AAAA..." or "SHA256:..." */
  host_key: z.string().optional(),
  /** A known_hosts file (path, relative to the plan) or its text from `${VAR}`; default ~/.ssh/known_hosts. */
  known_hosts: z.string().optional(),
  retry_for: retryFor,
});
export type SftpConfig = z.infer<typeof sftpConfig>;

export const sftpTraits: TargetTraits<SftpConfig> = { defaults: { medium: 'disk', offsite: true, immutable: false } };
