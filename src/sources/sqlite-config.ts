/** A `type: sqlite` source's plan entry: a SQLite database file (WAL or not). */
import { z } from 'zod';
import { sourceBase } from './source.js';

export const sqliteConfig = z.strictObject({
  ...sourceBase,
  type: z.literal('sqlite'),
  path: z.string().min(1),
  schema_version: z
    .union([
      z.strictObject({ pragma: z.enum(['user_version', 'schema_version', 'application_id']) }),
      z.strictObject({ sql: z.string().min(1) }),
    ])
    .default({ pragma: 'user_version' }),
  /**
   * How the snapshot is checked before it is stored. quick_check (default)
   * reads every page and proves the b-trees sound, which is what taking a copy
   * can break, at the speed of a read; integrity_check adds the agreement of
   * every index with its table (35x the cost on an indexed database), which
   * every drill proves on the restored copy anyway.
   */
  check: z.enum(['integrity', 'quick', 'none']).default('quick'),
});
export type SqliteConfig = z.infer<typeof sqliteConfig>;
