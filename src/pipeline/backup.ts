/**
 * Executes a compiled backup pipeline. Each artifact is read once: snapshot ->
 * compress -> sha256 -> streamed to every target at the same time. A target
 * that fails drops out and the others go on; copies are then re-read and
 * verified, the copy rule is checked, and only then is manifest.json written,
 * last, to each target that holds verified copies.
 */
import { mkdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { makeBackupId } from '../artifacts/backup-id.js';
import { keyOf, putManifest, removeBackup } from '../artifacts/catalog.js';
import { packing } from '../artifacts/codec.js';
import { mismatch, readBack } from '../artifacts/check.js';
import { encryptionRecord, encryptor } from '../artifacts/encrypt.js';
import { Digest } from '../artifacts/digest.js';
import { AllBranchesFailed, fanout } from '../artifacts/fanout.js';
import type { Manifest, SourceEntry } from '../artifacts/manifest.js';
import { measured } from '../artifacts/measure.js';
import { loadSigner, type Signer } from '../artifacts/signature.js';
import { PolicyError, RestorableError, RunError, ioHint, reason } from '../errors.js';
import { resolveAppVersion } from '../plan/app-version.js';
import { artifactFile, compileBackup } from '../plan/compile.js';
import type { LoadedPlan } from '../plan/load.js';
import { evaluate, ruleName, type Copy, type PolicyVerdict } from '../plan/policy.js';
import { prunePlan, repositoryPruneOf, type PruneReport } from '../retention/prune.js';
import type { Reporter } from '../report/reporter.js';
import { countsText } from '../report/counts.js';
import { sourceAdapter } from '../sources/index.js';
import type { SourceContext } from '../sources/source.js';
import { createTarget } from '../targets/index.js';
import type { Medium, Target } from '../targets/target.js';
import { makeStaging } from '../util/staging.js';
import { VERSION } from '../version.js';
import { snapshotFile } from '../repository/format.js';
import { runHook } from './hooks.js';
import { RepositorySession } from './repository-step.js';
import { runPipeline, type Executors, type StepRecord } from './runner.js';

export interface RunOptions {
  reporter: Reporter;
  signal: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** schedule, manual, local...; derived from the GitHub event when unset. */
  trigger?: string;
  /** Where scratch files go (a SQLite snapshot is staged there). Default: the OS temp folder. */
  stagingRoot?: string;
  now?: () => Date;
  /**
   * The plan's targets, one per plan entry in plan order, as the command made
   * them to take the lock: the run uses these instead of making its own (an
   * SFTP target's connection is then opened once per run, not twice).
   */
  targets?: Target[];
}

/** What became of one target in a run: the table printed when the copy rule is not met. */
export interface TargetOutcome {
  name: string;
  type: string;
  where: string;
  medium: Medium;
  offsite: boolean;
  immutable: boolean;
  /** False for a tier never counted by the copy rule (the GitHub cache). */
  counted: boolean;
  /** Every artifact was stored. */
  written: boolean;
  /** Every artifact was re-read and matched, and the manifest was committed there. */
  verified: boolean;
  expires_at?: string;
  error?: string;
}

export interface BackupResult {
  id: string;
  ok: boolean;
  manifest?: Manifest;
  verdict?: PolicyVerdict;
  targets: TargetOutcome[];
  steps: StepRecord[];
  pruned: PruneReport[];
  durationMs: number;
  error?: unknown;
}

export function triggerOf(env: NodeJS.ProcessEnv): string {
  if (env.GITHUB_ACTIONS !== 'true') return 'local';
  return env.GITHUB_EVENT_NAME === 'schedule' ? 'schedule' : 'manual';
}

function githubOf(env: NodeJS.ProcessEnv): Manifest['github'] {
  if (env.GITHUB_ACTIONS !== 'true') return null;
  const get = (name: string) => env[name] ?? '';
  return {
    repository: get('GITHUB_REPOSITORY'),
    sha: get('GITHUB_SHA'),
    ref: get('GITHUB_REF'),
    workflow: get('GITHUB_WORKFLOW'),
    run_id: get('GITHUB_RUN_ID'),
    run_attempt: get('GITHUB_RUN_ATTEMPT'),
  };
}

export async function runBackup(loaded: LoadedPlan, options: RunOptions): Promise<BackupResult> {
  const { plan, dir: planDir } = loaded;
  const { reporter, signal } = options;
  const env = options.env ?? process.env;
  const now = options.now ?? (() => new Date());
  const started = now();
  const clock = performance.now();
  const targets = options.targets ?? plan.targets.map((config) => createTarget(config, { planDir, env, onRetry: (message) => reporter.warn(message) }));
  const failures = new Map<string, string>();
  const alive = () => targets.filter((t) => !failures.has(t.name));
  const drop = (target: Target, error: unknown) => {
    failures.set(target.name, reason(error));
    const hint = error instanceof RestorableError && error.hint ? ` ${error.hint}` : '';
    reporter.warn(`Target "${target.name}" dropped out: ${reason(error)}${hint}`);
  };
  let stagingDir = '';
  let id = '';
  let appVersion: string | null = null;
  const entries: SourceEntry[] = [];
  const verifiedAt = new Map<string, string>();
  const written = new Set<string>();
  /** Targets that dropped out in preflight: nothing of this run is on them to clear. */
  const unwritten = new Set<string>();
  let verdict: PolicyVerdict | undefined;
  let manifest: Manifest | undefined;
  const pruned: PruneReport[] = [];
  let postHookError: unknown;
  let signer: Signer | undefined;
  let repo: RepositorySession | undefined;
  const sctx = (): SourceContext => ({ planDir, stagingDir, reporter, signal, compression: plan.compression.algorithm });
  const hookEnv = () => ({ ...env, RESTORABLE_PLAN: plan.name, RESTORABLE_BACKUP_ID: id });

  // From the start of the run: the store's clock started at upload, before the copy was verified.
  const expiresAt = (t: Target): string | null =>
    t.expiresAfterDays && verifiedAt.has(t.name) ? new Date(started.getTime() + t.expiresAfterDays * 86_400_000).toISOString() : null;
  const copyOf = (t: Target): Copy => ({ target: t.name, medium: t.medium, offsite: t.offsite, immutable: t.immutable, counted: t.counted ?? true, expiresAt: expiresAt(t) });
  const manifestFor = (holders: Target[], verdict: PolicyVerdict): Manifest => ({
    format: 1,
    tool: { name: 'restorable', version: VERSION },
    plan: { name: plan.name, sha256: loaded.hash },
    backup_id: id,
    started_at: started.toISOString(),
    finished_at: now().toISOString(),
    app_version: appVersion,
    trigger: options.trigger ?? triggerOf(env),
    host: hostname(),
    github: githubOf(env),
    sources: entries,
    copies: holders.map((t) => ({
      target: t.name,
      type: t.type,
      medium: t.medium,
      offsite: t.offsite,
      immutable: t.immutable,
      verified_at: verifiedAt.get(t.name)!,
      counted: t.counted ?? true,
      expires_at: expiresAt(t),
    })),
    policy: { rule: ruleName(plan.policy.rule), met: verdict.met, required: verdict.required, have: verdict.have },
  });

  const executors: Executors = {
    async preflight() {
      // Before anything is read: a plan that signs must not run far without its key.
      signer = plan.signing ? loadSigner(plan.signing, env, loaded.secrets) : undefined;
      stagingDir = await makeStaging(options.stagingRoot, 'backup');
      for (const source of plan.sources) await sourceAdapter(source).probe(source, sctx());
      await Promise.all(targets.map((t) => t.probe().catch((error: unknown) => (drop(t, error), unwritten.add(t.name)))));
      if (alive().length === 0) throw new RunError('No target can take writes; nothing was backed up.', { hint: 'See the messages above for each target.' });
      appVersion = await resolveAppVersion(plan, planDir, env);
      id = makeBackupId(started, appVersion);
      return `backup id ${id}`;
    },

    async hook({ phase, hook }) {
      const run = runHook(hook, `${phase} hook`, { cwd: planDir, signal, env: hookEnv() });
      if (phase === 'pre_backup') return void (await run);
      // A post hook (say, ending maintenance mode) that fails must not cost the backup itself.
      await run.catch((error: unknown) => {
        postHookError ??= error;
        reporter.warn(reason(error));
      });
    },

    async snapshot(step) {
      const source = step.config;
      const adapter = sourceAdapter(source);
      const began = performance.now();
      const ctx = { ...sctx(), stagingDir: join(stagingDir, source.name) };
      await mkdir(ctx.stagingDir);
      try {
        // A files source in a repository: the blobs go to the targets' repositories now; the artifact is its snapshot object.
        const repository = source.type === 'files' && source.storage === 'repository' ? (repo ??= new RepositorySession({ plan, planDir, env, reporter, signal, alive, drop })) : undefined;
        const snapshot = repository && source.type === 'files' ? await repository.snapshot(source, id, (bytes) => reporter.progress(step.id, bytes)) : await adapter.snapshot(source, ctx);
        // Progress counts what is read, towards the size the source expects, where both are known; else the bytes stored so far.
        let expected: number | undefined;
        void snapshot.expectedBytes?.then((bytes) => (expected = bytes));
        const raw = measured(snapshot, (done) => reporter.progress(step.id, done, expected));
        const file = repository ? snapshotFile(source.name, plan.encryption !== undefined) : artifactFile(source, plan);
        const compression: { algorithm: 'zstd' | 'gzip' | 'none'; level?: number | undefined } = repository ? { algorithm: 'none' } : plan.compression;
        const digest = new Digest(raw.counts || repository ? undefined : (bytes) => reporter.progress(step.id, bytes));
        const writers = alive();
        const { sink, results } = fanout(writers.map((t) => ({ name: t.name, consume: (input: Readable) => t.put(keyOf.file(plan.name, id, file), input) })));
        // Compress, then encrypt; the sha256 is of the stored (encrypted) bytes, so any copy can be checked without a key.
        const sealing = plan.encryption ? [encryptor(plan.encryption)] : [];
        const streamed = await pipeline([...packing(raw.snapshot, compression), ...sealing, digest, sink], { signal }).then(
          () => undefined,
          (error: unknown) => error,
        );
        const settled = await results;
        // A failure on the reading side (source, compressor) is the source's, not the targets'.
        if (streamed && !(streamed instanceof AllBranchesFailed)) throw sourceFailure(source.name, streamed);
        for (const result of settled) if (result.error) drop(writers.find((t) => t.name === result.name)!, result.error);
        if (alive().length === 0) throw new RunError(`No target could store ${file}; nothing was backed up.`, { hint: 'See the messages above for each target.' });
        const info = await snapshot.info;
        entries.push({
          name: source.name,
          type: source.type,
          kind: adapter.kind,
          ...(repository ? { storage: 'repository' as const } : {}),
          engine: info.engine,
          method: info.method,
          schema_version: info.schemaVersion,
          artifact: {
            file,
            bytes: digest.bytes,
            sha256: digest.sha256,
            decoded_bytes: await raw.size(),
            compression: { algorithm: compression.algorithm, level: compression.level ?? null },
            encryption: plan.encryption ? encryptionRecord(plan.encryption) : null,
          },
          counts: info.counts,
          duration_ms: Math.round(performance.now() - began),
        });
        const counts = countsText(info.counts);
        const stored = 'summary' in snapshot ? `; ${String(snapshot.summary)}` : '';
        return `${file}: ${digest.bytes} bytes${counts ? `; ${counts}` : ''}${stored}`;
      } finally {
        await rm(ctx.stagingDir, { recursive: true, force: true });
      }
    },

    async verify() {
      for (const target of alive()) written.add(target.name);
      await Promise.all(
        alive().map(async (target) => {
          try {
            for (const entry of entries) {
              const { file, bytes } = entry.artifact;
              const read = await readBack(target, plan.name, id, entry, undefined, (done) => reporter.progress(`verify:${target.name}:${file}`, done, bytes, `verifying ${file} on ${target.name}`));
              const problem = mismatch(entry, read);
              if (problem) throw new RunError(`the copy of ${entry.artifact.file} ${problem}`);
            }
            verifiedAt.set(target.name, now().toISOString());
          } catch (error) {
            drop(target, error);
          }
        }),
      );
      if (verifiedAt.size === 0) throw new RunError('No copy verified; nothing was committed.');
      return `${verifiedAt.size} of ${targets.length} targets verified`;
    },

    async policy() {
      verdict = evaluate(plan.policy.rule, alive().map(copyOf));
      const { have, required } = verdict;
      const summary = `${have.copies}/${required.copies} copies, ${have.media}/${required.media} media, ${have.offsite}/${required.offsite} offsite`;
      return verdict.met ? `met: ${summary}` : `NOT met: ${verdict.missing.join('; ')}`;
    },

    async commit() {
      signal.throwIfAborted();
      // A manifest names the copies that exist: if one fails to land, the
      // verdict and the manifests on the others are made again without it.
      const writeManifest = async (to: Target[]): Promise<PolicyVerdict> => {
        const holders = alive();
        if (holders.length === 0) throw new RunError('No target took the manifest; nothing was committed.');
        const now = evaluate(plan.policy.rule, holders.map(copyOf));
        manifest = manifestFor(holders, now);
        const body = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
        const signature = signer?.sign(body);
        await Promise.all(to.map((t) => putManifest(t, plan.name, id, body, signature).catch((error: unknown) => drop(t, error))));
        return (verdict = now);
      };
      // Rewritable stores again and again until every one holds the same list of copies.
      const settle = async (): Promise<PolicyVerdict> => {
        for (;;) {
          const before = alive().length;
          const written = await writeManifest(alive().filter((t) => !t.writeOnce));
          if (alive().length === before) return written;
        }
      };
      let final = await settle();
      // Write-once stores last: a second manifest there would fail, and dropping them would delete verified copies.
      const once = alive().filter((t) => t.writeOnce);
      if (once.length > 0) {
        final = await writeManifest(once);
        if (once.some((t) => failures.has(t.name))) final = await settle();
      }
      await repo?.commit();
      if (!final.met) {
        throw new PolicyError(
          `The ${ruleName(plan.policy.rule)} rule is not met: ${final.missing.join('; ')}. Backup ${id} was committed to ${alive().map((t) => t.name).join(', ')} only.`,
          { hint: failures.size > 0 ? `Failed targets: ${[...failures].map(([n, r]) => `${n} (${r})`).join('; ')}` : 'Add targets to the plan.' },
        );
      }
      return `manifest written to ${alive().map((t) => t.name).join(', ')}`;
    },

    async prune() {
      if (!plan.retention) return 'no retention policy';
      // Decided once across the targets (a backup kept or removed everywhere). The backup is committed by now: a target that fails to prune is reported, and the others are pruned still.
      const repository = repositoryPruneOf(plan, planDir, env, loaded.secrets, reporter);
      const result = await prunePlan(alive(), plan.name, plan.retention, { protect: [id], apply: true, now: now(), ...(repository ? { repository } : {}) });
      pruned.push(...result.targets);
      const failed = result.failed.map((f) => f.target);
      for (const f of result.failed) reporter.warn(`Backup ${id} is committed, but pruning target "${f.target}" failed: ${f.error}`);
      for (const p of result.targets) if (p.missing.length > 0) reporter.warn(`Target "${p.target}" lacks kept backup(s) that their manifests list: ${p.missing.join(', ')}.`);
      const done = pruned.map((p) => `${p.target}: removed ${p.removed.length}, kept ${p.kept.length}`).join('; ');
      return failed.length > 0 ? `${done}; not pruned: ${failed.join(', ')}` : done;
    },

    async report() {
      // Why a target failed was said when it dropped out and is in the summary's table: not a third time here.
      const state = (t: Target) => (failures.has(t.name) ? 'FAILED' : verifiedAt.has(t.name) ? 'verified' : 'not written');
      const outcome = targets.map((t) => `${t.name}: ${state(t)}`);
      return outcome.join('; ');
    },
  };

  const pipelineData = compileBackup(plan, planDir);
  const run = await runPipeline(pipelineData, executors, reporter, signal);
  const { records } = run;
  const error =
    run.error ??
    (postHookError === undefined
      ? undefined
      : new RunError(`Backup ${id} was committed, but a post_backup hook failed: ${reason(postHookError)}`, { hint: 'The backup is complete and listed; fix the hook (the app may still be in maintenance mode).' }));
  if (stagingDir) await rm(stagingDir, { recursive: true, force: true });
  // Targets that hold no committed copy keep nothing of this run (a manifest-less folder is invisible, but takes space).
  if (id) await removeIncomplete((manifest ? targets.filter((t) => failures.has(t.name)) : targets).filter((t) => !unwritten.has(t.name)), plan.name, id, reporter);
  return {
    id,
    ok: error === undefined,
    ...(manifest ? { manifest } : {}),
    ...(verdict ? { verdict } : {}),
    targets: targets.map((t) => {
      const verified = manifest !== undefined && verifiedAt.has(t.name) && !failures.has(t.name);
      const expires = verified ? expiresAt(t) : null;
      return {
        name: t.name,
        type: t.type,
        where: t.where,
        medium: t.medium,
        offsite: t.offsite,
        immutable: t.immutable,
        counted: t.counted ?? true,
        written: written.has(t.name),
        verified,
        ...(expires ? { expires_at: expires } : {}),
        ...(failures.has(t.name) ? { error: failures.get(t.name)! } : {}),
      };
    }),
    steps: records,
    pruned,
    durationMs: performance.now() - clock,
    ...(error !== undefined ? { error } : {}),
  };
}

function sourceFailure(name: string, error: unknown): unknown {
  if (error instanceof RestorableError) return error;
  const path = (error as { path?: unknown }).path;
  const at = typeof path === 'string' && !reason(error).includes(path) ? ` at ${path}` : '';
  // node-tar's words when a file grew or shrank between its stat and its last read.
  const changing = /expected EOF|unexpected EOF/i.test(reason(error));
  const hint = changing ? 'That file changed size while it was read (an app writing to it, a log): exclude it, or stop the writer in a pre_backup hook.' : ioHint(error);
  return new RunError(`Reading source "${name}" failed${at}: ${reason(error)}`, { hint, cause: error });
}

/** Clears this run's objects from targets that did not commit it. */
async function removeIncomplete(targets: Target[], plan: string, id: string, reporter: Reporter): Promise<void> {
  for (const target of targets) {
    try {
      await removeBackup(target, plan, id);
    } catch (error) {
      reporter.warn(`Could not clear the incomplete backup ${id} on target "${target.name}": ${reason(error)}`);
    }
  }
}
