/**
 * What each source type's plan entry is, without the code that snapshots and
 * restores it (index.ts has the adapters): the plan's schema and checks load
 * this, so that `validate` starts without tar, pg or the SQLite driver.
 */
import { z } from 'zod';
import { filesConfig } from './files-config.js';
import { postgresConfig } from './pg-config.js';
import { sqliteConfig } from './sqlite-config.js';

export { sourceName } from './source.js';

export const sourceConfig = z.discriminatedUnion('type', [sqliteConfig, postgresConfig, filesConfig]);
export type SourceConfig = z.infer<typeof sourceConfig>;

/** Databases snapshot before files, so that files never reference rows that are missing. Each adapter's `kind`. */
export const SOURCE_KINDS = { sqlite: 'database', postgres: 'database', files: 'files' } as const satisfies Record<SourceConfig['type'], 'database' | 'files'>;

/** The types whose adapter answers sql health checks (has `query`). */
export const SQL_SOURCES: ReadonlySet<SourceConfig['type']> = new Set(['sqlite', 'postgres']);
