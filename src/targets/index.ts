/** The target registry: every target type, found by `type`. A new store is one file plus a line here. */
import { z } from 'zod';
import { Secrets } from '../report/secrets.js';
import { githubArtifact, githubArtifactConfig, githubSecretEnv } from './github-artifact.js';
import { githubCache, githubCacheConfig } from './github-cache.js';
import { local, localConfig } from './local.js';
import { s3, s3Config, s3SecretEnv } from './s3.js';
import { sftp, sftpConfig } from './sftp.js';
import type { Target, TargetAdapter, TargetContext } from './target.js';

export const targetConfig = z.discriminatedUnion('type', [localConfig, s3Config, sftpConfig, githubArtifactConfig, githubCacheConfig]);
export type TargetConfig = z.infer<typeof targetConfig>;

const adapters = { local, s3, sftp, 'github-artifact': githubArtifact, 'github-cache': githubCache } as const;

/** Standard environment variables that hold target credentials: redacted from all output when set. */
export const credentialEnv = [...s3SecretEnv, ...githubSecretEnv];

/** The secrets a run starts with: the standard secret and credential variables set in `env` (both shells use this). */
export function secretsOf(env: NodeJS.ProcessEnv): Secrets {
  const secrets = new Secrets();
  secrets.addEnv(env);
  // Credentials in standard variables never pass through ${VAR}: register them for redaction too.
  for (const name of credentialEnv) if (env[name]) secrets.add(env[name]);
  return secrets;
}

export function targetAdapter(config: TargetConfig): TargetAdapter<TargetConfig> {
  return adapters[config.type] as unknown as TargetAdapter<TargetConfig>;
}

export function createTarget(config: TargetConfig, ctx: TargetContext): Target {
  return targetAdapter(config).create(config, ctx);
}
