/**
 * Cross-field rules, run after the schema has accepted the plan. Each rule
 * returns problems as data with the key path they belong to; load.ts turns
 * paths into file:line:column. Nothing here touches the disk.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { parsePublicKey } from '../artifacts/ssh-keys.js';
import { SQL_SOURCES } from '../sources/configs.js';
import { selector } from '../sources/files-config.js';
import { traitsOf } from '../targets/configs.js';
import { WRITE_ONCE_TYPES } from '../targets/target.js';
import { snapshotOrder } from './order.js';
import { evaluate, ruleName } from './policy.js';
import type { Plan } from './schema.js';

export interface RuleProblem {
  path: (string | number)[];
  message: string;
  severity: 'error' | 'warning';
}

export interface RuleContext {
  planDir: string;
  /** Whether a zstd codec exists in this process (Node's zlib or the zstd tool). */
  zstd: boolean;
}

type Rule = (plan: Plan, ctx: RuleContext) => RuleProblem[];

const error = (path: RuleProblem['path'], message: string): RuleProblem => ({ path, message, severity: 'error' });
const warning = (path: RuleProblem['path'], message: string): RuleProblem => ({ path, message, severity: 'warning' });

function duplicates(names: string[], list: 'sources' | 'targets'): RuleProblem[] {
  return names.flatMap((name, index) =>
    names.indexOf(name) === index ? [] : [error([list, index, 'name'], `the name "${name}" is used twice in ${list}`)],
  );
}

const uniqueNames: Rule = (plan) => [
  ...duplicates(plan.sources.map((s) => s.name), 'sources'),
  ...duplicates(plan.targets.map((t) => t.name), 'targets'),
];

const ordering: Rule = (plan) => {
  const names = new Set(plan.sources.map((s) => s.name));
  const problems = plan.sources.flatMap((source, index) =>
    (source.after ?? []).flatMap((other, at) => {
      if (other === source.name) return [error(['sources', index, 'after', at], `source "${source.name}" cannot come after itself`)];
      if (!names.has(other)) return [error(['sources', index, 'after', at], `no source is named "${other}"`)];
      return [];
    }),
  );
  // With two sources of one name (reported by uniqueNames) an order cannot be worked out, and says nothing new.
  if (names.size < plan.sources.length) return problems;
  try {
    snapshotOrder(plan.sources);
  } catch (cycle) {
    problems.push(error(['sources'], (cycle as Error).message));
  }
  return problems;
};

const healthCheckSources: Rule = (plan) =>
  plan.restore.healthchecks.flatMap((check, index) => {
    if (!('source' in check)) return [];
    const source = plan.sources.find((s) => s.name === check.source);
    const path = ['restore', 'healthchecks', index, 'source'];
    if (!source) return [error(path, `no source is named "${check.source}" (sources: ${plan.sources.map((s) => s.name).join(', ')})`)];
    if (!SQL_SOURCES.has(source.type)) return [error(path, `source "${check.source}" is of type ${source.type}, which cannot run sql checks`)];
    if ('sql' in check && 'files_exist' in check.expect) {
      const where = check.expect.files_exist.in;
      const files = plan.sources.find((s) => s.name === where);
      const at = ['restore', 'healthchecks', index, 'expect', 'files_exist', 'in'];
      if (!files || files.type !== 'files') return [error(at, `files_exist needs a files source; ${files ? `"${where}" is of type ${files.type}` : `no source is named "${where}"`}`)];
    }
    return [];
  });

const staticPolicy: Rule = (plan) => {
  const copies = plan.targets.map((config) => {
    const { medium, offsite, immutable, counted } = traitsOf(config);
    return { target: config.name, medium, offsite, immutable, ...(counted ? {} : { counted: false }) };
  });
  const verdict = evaluate(plan.policy.rule, copies);
  if (verdict.met) return [];
  return [
    error(
      ['targets'],
      `the declared targets cannot meet the ${ruleName(plan.policy.rule)} rule even if every copy succeeds: ${verdict.missing.join('; ')}. ` +
        'Add targets, or declare what a target really is (medium: removable-disk for a USB disk, medium: cloud-drive, offsite: true), or relax policy.rule.',
    ),
  ];
};

const zstdAvailable: Rule = (plan, ctx) =>
  plan.compression.algorithm === 'zstd' && !ctx.zstd
    ? [error(['compression', 'algorithm'], `zstd is not available here: Node.js ${process.version} has no zstd in zlib (22.15+ does) and no zstd tool is on PATH. Install zstd (apt-get install zstd) or use algorithm: gzip`)]
    : [];

function within(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Where a remote target keeps its objects: two targets at one place are one copy. */
function remotePlace(t: Plan['targets'][number]): string | undefined {
  const trimmed = (prefix: string | undefined) => (prefix ?? '').replace(/^\/+|\/+$/g, '');
  if (t.type === 's3') return `s3 ${t.endpoint ?? 'aws'} ${t.bucket} ${trimmed(t.prefix)}`;
  if (t.type === 'sftp') return `sftp ${t.host}:${t.port ?? 22} ${t.path.replace(/\/+$/, '')}`;
  return undefined;
}

const distinctPlaces: Rule = (plan, ctx) => {
  const locals = plan.targets.flatMap((t, index) => (t.type === 'local' ? [{ index, path: resolve(ctx.planDir, t.path) }] : []));
  const problems: RuleProblem[] = [];
  const remotes = plan.targets.map(remotePlace);
  remotes.forEach((place, index) => {
    const twin = place === undefined ? -1 : remotes.indexOf(place);
    if (twin >= 0 && twin < index) problems.push(error(['targets', index], `this is the same place as targets[${twin}] (${place}): two copies in one place are one copy`));
  });
  locals.forEach((a, i) => {
    const twin = locals.slice(0, i).find((b) => b.path === a.path);
    if (twin) problems.push(error(['targets', a.index, 'path'], `this is the same folder as targets[${twin.index}]: two copies in one place are one copy`));
    plan.sources.forEach((source) => {
      if (source.type === 'files' && within(resolve(ctx.planDir, source.path), a.path)) {
        problems.push(error(['targets', a.index, 'path'], `this target lies inside files source "${source.name}": each backup would include the previous ones`));
      }
    });
  });
  return problems;
};

/** Whether the walk of a folder would take `rel` (its own rules, every parent folder included). */
function walkTakes(folder: { exclude: string[]; include?: string[] | undefined }, rel: string): boolean {
  const takes = selector(folder);
  const parts = rel.split(sep);
  return parts.every((_, i) => takes(parts.slice(0, i + 1).join('/'), i < parts.length - 1));
}

/** A folder snapshot that contains a database would copy the live file and its -wal, -shm or journal raw. */
const nestedSources: Rule = (plan, ctx) =>
  plan.sources.flatMap((folder, index) => {
    if (folder.type !== 'files') return [];
    const root = resolve(ctx.planDir, folder.path);
    return plan.sources
      .flatMap((db) => (db.type !== 'files' && 'path' in db ? [{ db, path: resolve(ctx.planDir, db.path as string) }] : []))
      .filter(({ path }) => within(root, path) && ['', '-wal', '-shm', '-journal'].some((suffix) => walkTakes(folder, relative(root, path) + suffix)))
      .map(({ db, path }) =>
        error(['sources', index, 'path'], `this folder contains the ${db.type} source "${db.name}": its live file (or its -wal, -shm) would be copied raw. Exclude it, e.g. exclude: ["${relative(root, path).split(sep).join('/')}*"]`),
      );
  });

const retentionSanity: Rule = (plan) => {
  const r = plan.retention;
  if (!r || Object.values(r).every((value) => value === undefined)) return [];
  const keeps = [r.keep_last, r.keep_hourly, r.keep_daily, r.keep_weekly, r.keep_monthly, r.keep_yearly].some((n) => (n ?? 0) > 0);
  return keeps || r.keep_within ? [] : [warning(['retention'], 'this retention keeps only the newest backup: prune will remove every other one')];
};

/** A short passphrase falls to offline guessing (scrypt slows it, no more), and under 4 characters it could not even be masked in logs. */
const passphraseStrength: Rule = (plan) =>
  plan.encryption?.passphrase !== undefined && plan.encryption.passphrase.length < 12
    ? [error(['encryption', 'passphrase'], 'the passphrase is shorter than 12 characters: anyone holding a copy could guess it offline. Use a long random one (e.g. `age-keygen` recipients instead, or 5+ random words)')]
    : [];

/** A repository is rewritten every run (new packs, indexes): a store that takes each key once per run cannot hold one. */
const repositoryTargets: Rule = (plan) => {
  const once = plan.targets.filter((t) => WRITE_ONCE_TYPES.has(t.type)).map((t) => t.name);
  if (once.length === 0) return [];
  return plan.sources.flatMap((source, index) =>
    source.type === 'files' && source.storage === 'repository'
      ? [error(['sources', index, 'storage'], `storage: repository cannot be written to ${once.join(', ')} (GitHub artifacts and caches take each key once); use storage: tar for this plan (the default when a plan has such a target)`)]
      : [],
  );
};

/** The pinned signing key must decode: a typo found at backup time would cost a backup, at restore time every one. */
const signingKey: Rule = (plan) => {
  if (!plan.signing) return [];
  try {
    parsePublicKey(plan.signing.public_key);
    return [];
  } catch (problem) {
    return [error(['signing', 'public_key'], `this is not a usable signing key: ${(problem as Error).message}`)];
  }
};

const rules: Rule[] = [repositoryTargets, passphraseStrength, signingKey, uniqueNames, ordering, healthCheckSources, staticPolicy, zstdAvailable, distinctPlaces, nestedSources, retentionSanity];

export function checkRules(plan: Plan, ctx: RuleContext): RuleProblem[] {
  return rules.flatMap((rule) => rule(plan, ctx));
}
