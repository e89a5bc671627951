/** The source registry: every source type, found by `type`. A new engine is one file plus a line here. */
import type { SourceConfig } from './configs.js';
import { files } from './files.js';
import { postgres } from './postgres.js';
import { sqlite } from './sqlite.js';
import type { SourceAdapter } from './source.js';

export { sourceConfig, sourceName, type SourceConfig } from './configs.js';

const adapters = { sqlite, postgres, files } as const;

export function sourceAdapter(config: SourceConfig): SourceAdapter<SourceConfig> {
  return adapters[config.type] as unknown as SourceAdapter<SourceConfig>;
}
