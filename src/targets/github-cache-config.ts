/** A `type: github-cache` target's plan entry and traits: the GitHub Actions cache of a repository. */
import { z } from 'zod';
import { targetBase, type TargetTraits } from './target.js';

export const githubCacheConfig = z.strictObject({
  ...targetBase,
  type: z.literal('github-cache'),
  /** For list and prune: a token with actions:read/write; default GITHUB_TOKEN. */
  token: z.string().optional(),
  /** owner/name; default GITHUB_REPOSITORY. */
  repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/).optional(),
});
export type GithubCacheConfig = z.infer<typeof githubCacheConfig>;

export const githubCacheTraits: TargetTraits<GithubCacheConfig> = { defaults: { medium: 'artifact', offsite: true, immutable: false, counted: false } };
