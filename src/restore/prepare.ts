/**
 * What restore and drill share: pick the backup, match its artifacts to the
 * plan's sources, refuse another engine's artifact, compare app and schema
 * versions, and verify every checksum before anything is touched.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { SourceEntry } from '../artifacts/manifest.js';
import { readManifest } from '../artifacts/catalog.js';
import { IntegrityError, NotFoundError, RefusedError, UsageError } from '../errors.js';
import { resolveAppVersion } from '../plan/app-version.js';
import type { LoadedPlan } from '../plan/load.js';
import { snapshotOrder } from '../plan/order.js';
import type { Reporter } from '../report/reporter.js';
import { sourceAdapter, type SourceConfig } from '../sources/index.js';
import type { SourceAdapter, SourceContext } from '../sources/source.js';
import { createTarget } from '../targets/index.js';
import { makeStaging } from '../util/staging.js';
import { fetchVerified, findBackup, type Located } from './locate.js';

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

type Chosen = { config: SourceConfig; entry: SourceEntry };

function select(loaded: LoadedPlan, located: Located, names: string[]): Chosen[] {
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
  chosen: Chosen[],
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
  const { plan, dir } = loaded;
  const targets = plan.targets.map((config) => createTarget(config, { planDir: dir, env: request.env }));
  const { id, holders } = await findBackup(targets, plan.name, request.backup, request.reporter, request.target);
  const stagingDir = await makeStaging(request.stagingRoot, `restorable-${mode}-`);
  const cleanup = () => rm(stagingDir, { recursive: true, force: true });
  const ctx: SourceContext = { planDir: dir, stagingDir, reporter: request.reporter, signal: request.signal };
  let versionsChecked = false;
  let firstDamage: unknown;
  // A damaged copy (manifest or artifact) is reported and the next holder tried; anything else stops.
  const onDamage = (error: unknown, index: number) => {
    if (!(error instanceof IntegrityError || error instanceof NotFoundError)) throw error;
    firstDamage ??= error;
    const next = holders[index + 1];
    request.reporter.warn(`${error.message}${next ? ` Trying the copy on target "${next.name}".` : ''}`);
  };
  try {
    for (const [index, target] of holders.entries()) {
      const manifest = await readManifest(target, plan.name, id).catch((error: unknown) => onDamage(error, index));
      if (!manifest) continue;
      const located: Located = { target, manifest };
      const chosen = select(loaded, located, request.sources);
      if (!versionsChecked) {
        await checkVersions(loaded, located, chosen, ctx, request, mode);
        versionsChecked = true;
      }
      const selected = await fetchAll(located, chosen, join(stagingDir, target.name)).catch((error: unknown) => onDamage(error, index));
      if (!selected) continue;
      request.reporter.info(`Backup ${id} from target "${target.name}" (made ${manifest.finished_at}, app ${manifest.app_version ?? 'unknown'}): ${selected.length} artifact(s) verified.`);
      return { ...located, selected, stagingDir, ctx, cleanup };
    }
    throw firstDamage;
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function fetchAll({ target, manifest }: Located, chosen: Chosen[], scratch: string): Promise<Selected[]> {
  await mkdir(scratch);
  const selected: Selected[] = [];
  for (const { config, entry } of chosen) {
    const artifact = await fetchVerified(target, manifest.plan.name, manifest.backup_id, entry, scratch);
    selected.push({ config, adapter: sourceAdapter(config), entry, artifact });
  }
  return selected;
}

async function checkVersions(loaded: LoadedPlan, located: Located, chosen: Chosen[], ctx: SourceContext, request: RestoreRequest, mode: 'restore' | 'drill'): Promise<void> {
  const problems = await versionProblems(loaded, located, chosen, ctx, request.env, mode);
  for (const problem of problems) request.reporter.warn(`Version mismatch: ${problem}.`);
  if (problems.length > 0 && mode === 'restore' && !request.allowVersionMismatch) {
    throw new RefusedError(`Refusing to restore over a different version: ${problems.join('; ')}.`, {
      hint: 'Check that the app can run on this data (or downgrade it first), then run again with --allow-version-mismatch.',
    });
  }
}
