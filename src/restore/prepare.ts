/**
 * What restore and drill share: pick the backup, match its artifacts to the
 * plan's sources, refuse another engine's artifact, compare app and schema
 * versions, and verify every checksum before anything is touched.
 */
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
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
import type { Target } from '../targets/target.js';
import { makeStaging } from '../util/staging.js';
import { decryptionKeys, type DecryptionKeys } from '../artifacts/encrypt.js';
import { checkKey, fetchVerified, findBackup, type Located } from './locate.js';
import { buildBytes, checkRoom, choiceBytes, isNoSpace, noRoom, type Need } from './room.js';
import { RepoReader } from '../repository/reader.js';
import type { SnapshotObject } from '../repository/format.js';
import { snapshotOf } from './snapshot-object.js';
import { choosePaths, type PathChoice } from './path-choice.js';

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
  /** restore/drill --to URL (interpolated, password-free in argv): restore the source there instead. */
  to?: string;
  /** Receives what a run that then fails got to (its health checks), for the Action's outputs and summary. */
  partial?: (data: unknown) => void;
  /** restore --path (without --into): only these paths of one repository source are restored over the live folder. */
  paths?: string[];
  /** The plan's targets as the command made them to take the lock (one per plan entry, in plan order): used instead of new ones. */
  targets?: Target[];
}

export interface Selected {
  config: SourceConfig;
  adapter: SourceAdapter<SourceConfig>;
  entry: SourceEntry;
  /** Local path of the verified artifact bytes. */
  artifact: string;
  /** A partial restore (restore --path): what of the snapshot is built. */
  choice?: PathChoice;
  /** The snapshot and its repository as the choice opened them (its indexes loaded and trees read): the build reuses them. */
  opened?: { snapshot: SnapshotObject; reader: RepoReader };
}

export interface Prepared extends Located {
  selected: Selected[];
  stagingDir: string;
  ctx: SourceContext;
  /** Keys for encrypted artifacts, already proven to open each of them. */
  keys: DecryptionKeys;
  /** Where credentials come from, for opening other targets (a repository blob damaged on this one). */
  env: NodeJS.ProcessEnv;
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
  const targets = request.targets ?? plan.targets.map((config) => createTarget(config, { planDir: dir, env: request.env, onRetry: (message) => request.reporter.warn(message) }));
  const { id, holders } = await findBackup(targets, plan.name, request.backup, request.reporter, request.target);
  const stagingDir = await makeStaging(request.stagingRoot, mode).catch((error: unknown) => {
    throw isNoSpace(error) ? noRoom('the staging folder', request.stagingRoot ?? tmpdir(), 'a few KiB', error, { staging: true }) : error;
  });
  const cleanup = () => rm(stagingDir, { recursive: true, force: true });
  const ctx: SourceContext = { planDir: dir, stagingDir, reporter: request.reporter, signal: request.signal };
  let versionsChecked = false;
  let firstDamage: unknown;
  let keys: DecryptionKeys | undefined;
  // A damaged copy (manifest or artifact) is reported and the next holder tried; anything else stops.
  const onDamage = (error: unknown, index: number) => {
    if (!(error instanceof IntegrityError || error instanceof NotFoundError)) throw error;
    firstDamage ??= error;
    const next = holders[index + 1];
    request.reporter.warn(`${error.message}${next ? ` Trying the copy on target "${next.name}".` : ''}`);
  };
  try {
    for (const [index, target] of holders.entries()) {
      const manifest = await readManifest(target, plan.name, id, plan.signing).catch((error: unknown) => onDamage(error, index));
      if (!manifest) continue;
      const located: Located = { target, manifest };
      const chosen = await retarget(onlyPaths(select(loaded, located, request.sources), request.paths, request.sources.length > 0, id), request.to);
      if (!versionsChecked) {
        await checkVersions(loaded, located, chosen, ctx, request, mode);
        for (const { config } of chosen) await sourceAdapter(config).checkRestore?.(config, ctx, mode);
        versionsChecked = true;
      }
      // A partial restore is measured once its paths are chosen (below): it builds only those.
      if (!request.paths) await checkRoom(needs(located, chosen, ctx, mode));
      const selected = await fetchAll(located, chosen, join(stagingDir, target.name), request.reporter).catch((error: unknown) => onDamage(error, index));
      if (!selected) continue;
      keys ??= selected.some((s) => s.entry.artifact.encryption) ? decryptionKeys(request.env, plan.encryption, loaded.secrets) : { identities: [] };
      const opened = await openAll(selected, keys, id).catch((error: unknown) => onDamage(error, index));
      if (!opened) continue;
      const chose = request.paths ? await choose(loaded, located, selected[0]!, keys, request.paths).catch((error: unknown) => onDamage(error, index)) : true;
      if (!chose) continue;
      if (request.paths) await checkRoom(needs(located, chosen, ctx, mode, selected[0]!.choice));
      request.reporter.info(`Backup ${id} from target "${target.name}" (made ${manifest.finished_at}, app ${manifest.app_version ?? 'unknown'}): ${selected.length} artifact(s) verified.`);
      return { ...located, selected, stagingDir, ctx, keys, env: request.env, cleanup };
    }
    throw firstDamage;
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * Where this restore will write, by the manifest: each build beside its live
 * data (a drill's in the staging folder), a PostgreSQL tar extracted in the
 * staging folder (a single dump streams to the server: nothing local), and
 * downloads from a target that is not a local folder.
 */
function needs({ target }: Located, chosen: Chosen[], ctx: SourceContext, mode: 'restore' | 'drill', choice?: PathChoice): Need[] {
  const list: Need[] = [];
  for (const { config, entry } of chosen) {
    const bytes = choice ? choiceBytes(choice) : buildBytes(entry);
    const live = sourceAdapter(config).liveLocation(config, ctx);
    const local = isAbsolute(live);
    const place = local && mode === 'restore' ? dirname(live) : ctx.stagingDir;
    if (bytes !== null && (local || /\.tar(\.|$)/.test(entry.artifact.file))) list.push({ place, bytes, what: `source "${config.name}"` });
    if (!target.localPath) list.push({ place: ctx.stagingDir, bytes: entry.artifact.bytes, what: `the download of ${entry.artifact.file}` });
  }
  return list;
}

/** restore --path takes one repository source: the one named, or the backup's only one. */
function onlyPaths(chosen: Chosen[], paths: string[] | undefined, named: boolean, id: string): Chosen[] {
  if (!paths) return chosen;
  const repos = chosen.filter((c) => c.entry.storage === 'repository');
  if (repos.length === 1 && (!named || chosen.length === 1)) return repos;
  throw new UsageError(
    repos.length === 0
      ? `--path restores paths of a repository source (storage: repository); ${chosen.map((c) => `"${c.config.name}"`).join(', ')} in backup ${id} ${chosen.length === 1 ? 'is not one' : 'are not'}.`
      : `--path restores paths of one source: name it with --source (${repos.map((c) => c.config.name).join(', ')}).`,
    { hint: 'A tar backup or a database restores whole: `restorable restore --source NAME`.' },
  );
}

/** The paths a partial restore builds, found in the snapshot before any hook runs: a pattern that matches nothing stops it here. */
async function choose(loaded: LoadedPlan, { target, manifest }: Located, selected: Selected, keys: DecryptionKeys, paths: string[]): Promise<true> {
  const snapshot = await snapshotOf(loaded.plan.name, manifest.backup_id, selected, keys);
  const reader = await RepoReader.open(target, loaded.plan.name, snapshot, loaded.plan.encryption, keys);
  selected.choice = await choosePaths(reader, snapshot, paths);
  selected.opened = { snapshot, reader };
  if (selected.choice.wanted.size === 0) {
    throw new UsageError(`No path of backup ${manifest.backup_id} (source "${selected.config.name}") matches ${paths.join(', ')}.`, { hint: 'Run `restorable ls` to see what it holds; nothing was changed.' });
  }
  return true;
}

/** --to points the one restored source somewhere else; only adapters that can be pointed elsewhere accept it. */
async function retarget(chosen: Chosen[], to: string | undefined): Promise<Chosen[]> {
  if (to === undefined) return chosen;
  const movable = chosen.filter((c) => sourceAdapter(c.config).retarget);
  if (chosen.length !== 1 || movable.length !== 1) {
    throw new UsageError(`--to restores one PostgreSQL source; this restore selects ${chosen.map((c) => `${c.config.name} (${c.config.type})`).join(', ')}.`, { hint: 'Pick the source with --source NAME.' });
  }
  const { config, entry } = chosen[0]!;
  return [{ config: await sourceAdapter(config).retarget!(config, to), entry }];
}

async function fetchAll({ target, manifest }: Located, chosen: Chosen[], scratch: string, reporter: Reporter): Promise<Selected[]> {
  await mkdir(scratch);
  const selected: Selected[] = [];
  for (const { config, entry } of chosen) {
    const artifact = await fetchVerified(target, manifest.plan.name, manifest.backup_id, entry, scratch, reporter);
    selected.push({ config, adapter: sourceAdapter(config), entry, artifact });
  }
  return selected;
}

/** A wrong or missing key is found here, before any hook runs or anything is written. */
async function openAll(selected: Selected[], keys: DecryptionKeys, id: string): Promise<true> {
  for (const { entry, artifact } of selected) await checkKey(artifact, entry, keys, id);
  return true;
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
