/**
 * What restore and drill share: pick the backup, match its artifacts to the
 * plan's sources, refuse another engine's artifact, compare app and schema
 * versions, and verify every checksum before anything is touched.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SourceEntry } from '../artifacts/manifest.js';
import { IntegrityError, RefusedError, UsageError, reason } from '../errors.js';
import { resolveAppVersion } from '../plan/app-version.js';
import type { LoadedPlan } from '../plan/load.js';
import { snapshotOrder } from '../plan/order.js';
import type { Reporter } from '../report/reporter.js';
import { sourceAdapter, type SourceConfig } from '../sources/index.js';
import type { SourceAdapter, SourceContext } from '../sources/source.js';
import { createTarget } from '../targets/index.js';
import { fetchVerified, locateBackup, type Located } from './locate.js';

export interface RestoreRequest {
  /** "latest" or a backup id. */
  backup: string;
  /** Source names; all sources of the backup when empty. */
  sources: string[];
  target?: string;
  allowVersionMismatch: boolean;
  reporter: Reporter;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  stagingRoot?: string;
}

export interface Selected {
  config: SourceConfig;
  adapter: SourceAdapter<SourceConfig>;
  entry: SourceEntry;
  /** Local path of the verified artifact bytes. */
  artifact: string;
}

export interface Prepared extends Located {
  selected: Selected[];
  stagingDir: string;
  ctx: SourceContext;
  cleanup(): Promise<void>;
}

function select(loaded: LoadedPlan, located: Located, names: string[]): { config: SourceConfig; entry: SourceEntry }[] {
  const { plan } = loaded;
  for (const name of names) {
    if (!plan.sources.some((s) => s.name === name)) throw new UsageError(`The plan has no source named "${name}".`, { hint: `Sources: ${plan.sources.map((s) => s.name).join(', ')}` });
    if (!located.manifest.sources.some((s) => s.name === name)) {
      throw new UsageError(`Backup ${located.manifest.backup_id} holds no source named "${name}".`, { hint: `It holds: ${located.manifest.sources.map((s) => s.name).join(', ')}` });
    }
  }
  const wanted = snapshotOrder(plan.sources).filter((s) => (names.length === 0 ? true : names.includes(s.name)));
  return wanted.flatMap((config) => {
    const entry = located.manifest.sources.find((s) => s.name === config.name);
    if (!entry) return [];
    if (entry.type !== config.type) {
      throw new IntegrityError(`Backup ${located.manifest.backup_id} holds a ${entry.type} artifact for source "${config.name}", which is ${config.type} in the plan.`, {
        hint: 'Restore it with a plan whose source has the same type; an artifact is never restored into another engine.',
      });
    }
    return [{ config, entry }];
  });
}

/** Differences between the backup and what runs now. A drill never opens live data, so it compares the app version only. */
async function versionProblems(
  loaded: LoadedPlan,
  located: Located,
  chosen: { config: SourceConfig; entry: SourceEntry }[],
  ctx: SourceContext,
  env: NodeJS.ProcessEnv,
  mode: 'restore' | 'drill',
): Promise<string[]> {
  const problems: string[] = [];
  const current = await resolveAppVersion(loaded.plan, loaded.dir, env).catch(() => null);
  const saved = located.manifest.app_version;
  if (current && saved && current !== saved) problems.push(`the backup was made by app version ${saved}; the plan says ${current} now`);
  if (mode === 'drill') return problems;
  for (const { config, entry } of chosen) {
    const live = await sourceAdapter(config).currentSchemaVersion(config, ctx).catch(() => null);
    if (live !== null && entry.schema_version !== null && live !== entry.schema_version) {
      problems.push(`source "${config.name}" is at schema version ${live}; the backup is at ${entry.schema_version}`);
    }
  }
  return problems;
}

export async function prepare(loaded: LoadedPlan, request: RestoreRequest, mode: 'restore' | 'drill'): Promise<Prepared> {
  const targets = loaded.plan.targets.map((config) => createTarget(config, { planDir: loaded.dir }));
  const located = await locateBackup(targets, loaded.plan.name, request.backup, request.reporter, request.target);
  const { manifest, target } = located;
  request.reporter.info(`Backup ${manifest.backup_id} from target "${target.name}" (made ${manifest.finished_at}, app ${manifest.app_version ?? 'unknown'})`);
  const chosen = select(loaded, located, request.sources);
  const stagingDir = await mkdtemp(join(request.stagingRoot ?? tmpdir(), `restorable-${mode}-`));
  const cleanup = () => rm(stagingDir, { recursive: true, force: true });
  const ctx: SourceContext = { planDir: loaded.dir, stagingDir, reporter: request.reporter, signal: request.signal };
  try {
    const problems = await versionProblems(loaded, located, chosen, ctx, request.env, mode);
    for (const problem of problems) request.reporter.warn(`Version mismatch: ${problem}.`);
    if (problems.length > 0 && mode === 'restore' && !request.allowVersionMismatch) {
      throw new RefusedError(`Refusing to restore over a different version: ${problems.join('; ')}.`, {
        hint: 'Check that the app can run on this data (or downgrade it first), then run again with --allow-version-mismatch.',
      });
    }
    const selected: Selected[] = [];
    for (const { config, entry } of chosen) {
      const artifact = await fetchVerified(target, loaded.plan.name, manifest.backup_id, entry, stagingDir);
      selected.push({ config, adapter: sourceAdapter(config), entry, artifact });
    }
    request.reporter.info(`Verified ${selected.length} artifact(s): sizes and sha256 match the manifest.`);
    return { ...located, selected, stagingDir, ctx, cleanup };
  } catch (error) {
    await cleanup();
    throw error instanceof Error ? error : new Error(reason(error));
  }
}
