/** A `type: local` target's plan entry and traits: a folder on this machine (a disk, a NAS mount). */
import { z } from 'zod';
import { targetBase, type TargetTraits } from './target.js';

export const localConfig = z.strictObject({
  ...targetBase,
  type: z.literal('local'),
  path: z.string().min(1),
});
export type LocalConfig = z.infer<typeof localConfig>;

export const localTraits: TargetTraits<LocalConfig> = { defaults: { medium: 'disk', offsite: false, immutable: false } };
