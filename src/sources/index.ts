/** The source registry: every source type, found by `type`. A new engine is one file plus a line here. */
import { z } from 'zod';
import { files, filesConfig } from './files.js';
import { postgres, postgresConfig } from './postgres.js';
import { sqlite, sqliteConfig } from './sqlite.js';
import type { SourceAdapter } from './source.js';

export { sourceName } from './source.js';

export const sourceConfig = z.discriminatedUnion('type', [sqliteConfig, postgresConfig, filesConfig]);
export type SourceConfig = z.infer<typeof sourceConfig>;

const adapters = { sqlite, postgres, files } as const;

export function sourceAdapter(config: SourceConfig): SourceAdapter<SourceConfig> {
  return adapters[config.type] as unknown as SourceAdapter<SourceConfig>;
}
