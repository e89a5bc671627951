/** The target registry: every target type, found by `type`. A new store is one file plus a line here. */
import { z } from 'zod';
import { local, localConfig } from './local.js';
import type { Target, TargetAdapter } from './target.js';

export const targetConfig = z.discriminatedUnion('type', [localConfig]);
export type TargetConfig = z.infer<typeof targetConfig>;

const adapters = { local } as const;

export function targetAdapter(config: TargetConfig): TargetAdapter<TargetConfig> {
  return adapters[config.type] as unknown as TargetAdapter<TargetConfig>;
}

export function createTarget(config: TargetConfig, ctx: { planDir: string }): Target {
  return targetAdapter(config).create(config, ctx);
}
