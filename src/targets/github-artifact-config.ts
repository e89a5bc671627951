/** A `type: github-artifact` target's plan entry and traits: workflow artifacts of a GitHub repository. */
import { z } from 'zod';
import { targetBase, type TargetTraits } from './target.js';

export const githubArtifactConfig = z.strictObject({
  ...targetBase,
  type: z.literal('github-artifact'),
  /** Days GitHub keeps each artifact: 1-90 on public repositories, up to 400 on private ones. */
  retention_days: z.number().int().min(1).max(400).optional(),
  /** For list, restore and prune: a token with actions:read (and actions:write to prune); default GITHUB_TOKEN. */
  token: z.string().optional(),
  /** owner/name; default GITHUB_REPOSITORY. */
  repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/).optional(),
});
export type GithubArtifactConfig = z.infer<typeof githubArtifactConfig>;

export const githubArtifactTraits: TargetTraits<GithubArtifactConfig> = { defaults: { medium: 'artifact', offsite: true, immutable: false } };
