/** The target registry: every target type, found by `type`. A new store is one file plus a line here. */
import type { TargetConfig } from './configs.js';
import { githubArtifact } from './github-artifact.js';
import { githubCache } from './github-cache.js';
import { local } from './local.js';
import { s3 } from './s3.js';
import { sftp } from './sftp.js';
import type { Target, TargetAdapter, TargetContext } from './target.js';

export { targetConfig, traitsOf, type TargetConfig } from './configs.js';

const adapters = { local, s3, sftp, 'github-artifact': githubArtifact, 'github-cache': githubCache } as const;

export { credentialEnv, secretsOf } from './credential-env.js';

export function targetAdapter(config: TargetConfig): TargetAdapter<TargetConfig> {
  return adapters[config.type] as unknown as TargetAdapter<TargetConfig>;
}

export function createTarget(config: TargetConfig, ctx: TargetContext): Target {
  return targetAdapter(config).create(config, ctx);
}
