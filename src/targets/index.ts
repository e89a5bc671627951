/** The target registry: every target type, found by `type`. A new store is one file plus a line here. */
import { z } from 'zod';
import { githubArtifact, githubArtifactConfig } from './github-artifact.js';
import { githubCache, githubCacheConfig } from './github-cache.js';
import { local, localConfig } from './local.js';
import { s3, s3Config } from './s3.js';
import { sftp, sftpConfig } from './sftp.js';
import type { Target, TargetAdapter, TargetContext } from './target.js';

export const targetConfig = z.discriminatedUnion('type', [localConfig, s3Config, sftpConfig, githubArtifactConfig, githubCacheConfig]);
export type TargetConfig = z.infer<typeof targetConfig>;

const adapters = { local, s3, sftp, 'github-artifact': githubArtifact, 'github-cache': githubCache } as const;

export { credentialEnv, secretsOf } from './credential-env.js';

export function targetAdapter(config: TargetConfig): TargetAdapter<TargetConfig> {
  return adapters[config.type] as unknown as TargetAdapter<TargetConfig>;
}

export function createTarget(config: TargetConfig, ctx: TargetContext): Target {
  return targetAdapter(config).create(config, ctx);
}
