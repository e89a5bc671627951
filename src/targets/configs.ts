/**
 * What each target type's plan entry is and what a copy there counts as,
 * without the code that stores objects (index.ts has the adapters): the
 * plan's schema and checks load this, so that `validate` starts without the
 * S3, SSH or GitHub clients.
 */
import { z } from 'zod';
import { githubArtifactConfig, githubArtifactTraits } from './github-artifact-config.js';
import { githubCacheConfig, githubCacheTraits } from './github-cache-config.js';
import { localConfig, localTraits } from './local-config.js';
import { s3Config, s3Traits } from './s3-config.js';
import { sftpConfig, sftpTraits } from './sftp-config.js';
import type { Medium, TargetTraits } from './target.js';

export const targetConfig = z.discriminatedUnion('type', [localConfig, s3Config, sftpConfig, githubArtifactConfig, githubCacheConfig]);
export type TargetConfig = z.infer<typeof targetConfig>;

const TRAITS = { local: localTraits, s3: s3Traits, sftp: sftpTraits, 'github-artifact': githubArtifactTraits, 'github-cache': githubCacheTraits } as const;

/** A target's traits for the copy rule: what the plan says of it, else what its settings imply, else its type's default. */
export function traitsOf(config: TargetConfig): { medium: Medium; offsite: boolean; immutable: boolean; counted: boolean } {
  const traits = TRAITS[config.type] as TargetTraits<TargetConfig>;
  const { defaults } = traits;
  return {
    medium: config.medium ?? defaults.medium,
    offsite: config.offsite ?? defaults.offsite,
    immutable: config.immutable ?? traits.implied?.(config).immutable ?? defaults.immutable,
    counted: defaults.counted !== false,
  };
}
