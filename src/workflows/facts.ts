/**
 * What a workflow needs to know about a plan, read from the plan file as
 * written. Not through the full loader: that interpolates `${VAR}`, and the
 * secrets a plan reads usually exist only in the repository's settings, not
 * on the machine writing the workflows. The plan is still validated by every
 * run the workflows start.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { PlanError } from '../errors.js';
import { placeholderNames } from '../plan/interpolate.js';

const looks = z.looseObject({
  name: z.string().regex(/^[a-z0-9-]+$/),
  app: z.looseObject({ version_from: z.looseObject({ env: z.string().optional() }).optional() }).optional(),
  sources: z.array(z.looseObject({ type: z.string(), path: z.string().optional(), storage: z.string().optional() })).default([]),
  targets: z.array(z.looseObject({ type: z.string() })).default([]),
  encryption: z.unknown().optional(),
  signing: z.unknown().optional(),
  schedule: z.looseObject({ backup: z.string().optional(), drill: z.string().optional(), watch: z.string().optional() }).optional(),
});

/** Target types stored by GitHub itself: pruning them goes through the REST API with the job's token. */
const GITHUB_STORED = new Set(['github-artifact', 'github-cache']);
/** Source types that read the runner's own disk: the job must run where the data lives. */
const LOCAL_SOURCES = new Set(['sqlite', 'files']);

export interface PlanFacts {
  name: string;
  schedule: { backup?: string; drill?: string; watch?: string };
  /** `${VAR}` names: the workflow maps each from a repository secret. */
  secrets: string[];
  /** `app.version_from.env`: mapped from a repository variable. */
  variables: string[];
  githubStorage: boolean;
  encrypted: boolean;
  /** Backups sign their manifests: the backup job needs RESTORABLE_SIGNING_KEY. */
  signed: boolean;
  /** Sources that read local files, so the job belongs on a self-hosted runner next to them. */
  localSources: string[];
  /** Files sources kept in a repository (the default storage): the restore workflow offers restoring some of their paths. */
  repositorySources: string[];
}

export async function readPlanFacts(file: string): Promise<PlanFacts> {
  let raw: unknown;
  try {
    raw = parse(await readFile(file, 'utf8'));
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new PlanError(missing ? `No plan file at ${file}.` : `Cannot read the plan ${file}: ${(error as Error).message.split('\n')[0]}`, [], {
      hint: 'Run `restorable validate` for the details.',
    });
  }
  const parsed = looks.safeParse(raw);
  if (!parsed.success) throw new PlanError(`The plan ${file} is not valid (${parsed.error.issues[0]?.path.join('.') || 'top level'}).`, [], { hint: 'Run `restorable validate` for the details.' });
  const plan = parsed.data;
  const versionEnv = plan.app?.version_from?.env;
  return {
    name: plan.name,
    schedule: { ...(plan.schedule?.backup ? { backup: plan.schedule.backup } : {}), ...(plan.schedule?.drill ? { drill: plan.schedule.drill } : {}), ...(plan.schedule?.watch ? { watch: plan.schedule.watch } : {}) },
    secrets: placeholderNames(raw),
    variables: versionEnv ? [versionEnv] : [],
    githubStorage: plan.targets.some((t) => GITHUB_STORED.has(t.type)),
    encrypted: plan.encryption !== undefined,
    signed: plan.signing !== undefined,
    localSources: plan.sources.filter((s) => LOCAL_SOURCES.has(s.type)).map((s) => String(s.name ?? s.type)),
    repositorySources: plan.sources.filter((s) => s.type === 'files' && s.storage !== 'tar').map((s) => String(s.name ?? s.type)),
  };
}
