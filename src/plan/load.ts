/**
 * Loading a plan: YAML with positions, `${VAR}` interpolation, the zod
 * schema, then the cross-field rules. Every problem comes back with the file,
 * line and column, and the key path, so the user can jump straight to it.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isMap, isNode, isPair, isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { PlanError, type PlanProblem } from '../errors.js';
import { Secrets } from '../report/secrets.js';
import { interpolate, literalPassphrase, literalPasswords, type Unset } from './interpolate.js';
import { checkRules, type RuleContext } from './rules.js';
import { WRITE_ONCE_TYPES } from '../targets/target.js';
import { planSchema, type Plan } from './schema.js';
import { closestKey, keysAt } from './suggest.js';

export interface LoadedPlan {
  plan: Plan;
  file: string;
  dir: string;
  /** sha256 of the plan file as written (placeholders, not their values). */
  hash: string;
  secrets: Secrets;
  warnings: PlanProblem[];
}

type Path = (string | number)[];

export function formatPath(path: Path): string {
  return path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${part}` : part), '');
}

class Locator {
  constructor(
    private readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  at(offset: number | undefined): string {
    if (offset === undefined) return this.file;
    const { line, col } = this.lines.linePos(offset);
    return `${this.file}:${line}:${col}`;
  }

  /** The position of `path`, or of its nearest existing parent; of the key itself when `key` is given. */
  where(path: Path, key?: string): string {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, depth), true);
      if (!isNode(node)) continue;
      if (key !== undefined && depth === path.length && isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
        if (pair && isNode(pair.key)) return this.at(pair.key.range?.[0]);
      }
      return this.at(node.range?.[0]);
    }
    return this.file;
  }
}

type Issue = z.core.$ZodIssue;

/** Of a union's branches, the one that came closest: fewest issues, no unknown keys. */
function closestBranch(branches: Issue[][]): Issue[] {
  const score = (issues: Issue[]) => issues.length + 10 * issues.filter((i) => i.code === 'unrecognized_keys').length;
  // On a tie, the branch that got further into the value: `{copies: 3, media: 2}` is the object form missing a key, not a wrong string.
  const depth = (issues: Issue[]) => Math.max(0, ...issues.map((i) => i.path.length));
  return [...branches].sort((a, b) => score(a) - score(b) || depth(b) - depth(a))[0] ?? [];
}

function flatten(issues: readonly Issue[], prefix: Path = []): { path: Path; issue: Issue }[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...(issue.path as Path)];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) return flatten(closestBranch(issue.errors), path);
    return [{ path, issue }];
  });
}

function describe(issue: Issue): string {
  if (issue.code === 'invalid_union' && 'options' in issue) {
    return `expected one of: ${(issue.options as unknown[]).map(String).join(', ')}`;
  }
  return issue.message.replace(/^Invalid input: /, '');
}

const RULE_KEYS = ['copies', 'media', 'offsite', 'immutable', 'verified_errors'];

function unknownKey(path: Path, key: string): string {
  if (path.length === 1 && path[0] === 'policy' && RULE_KEYS.includes(key)) {
    return `unknown key "${key}": the numbers of a rule go under rule, as in policy: {rule: {${key}: ...}} (or rule: 3-2-1)`;
  }
  const meant = closestKey(key, keysAt(path));
  return `unknown key "${key}"${meant ? `: did you mean "${meant}"?` : ''}`;
}

function schemaProblems(issues: readonly Issue[], locate: Locator): PlanProblem[] {
  return flatten(issues).flatMap(({ path, issue }) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        where: locate.where(path, key),
        path: formatPath([...path, key]),
        message: unknownKey(path, key),
        severity: 'error' as const,
      }));
    }
    return [{ where: locate.where(path), path: formatPath(path), message: describe(issue), severity: 'error' as const }];
  });
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  secrets?: Secrets;
  /** Facts about this machine the rules need (e.g. whether zstd exists). */
  capabilities: Omit<RuleContext, 'planDir'>;
}

export async function loadPlan(path: string, options: LoadOptions): Promise<LoadedPlan> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new PlanError(missing ? `No plan file at ${file}.` : `Cannot read the plan ${file}: ${(error as Error).message}`, [], {
      hint: missing ? 'Write a restorable.yml (see "A plan" at https://github.com/restorable/restorable#a-plan) or pass --plan FILE.' : undefined,
    });
  }
  return parsePlan(text, file, options);
}

/**
 * How deep a plan may nest. A real one nests about 6 levels; the YAML parser,
 * interpolation and the schema all recurse, and a plan thousands deep would
 * end in "Maximum call stack size exceeded" instead of a sentence.
 */
export const MAX_PLAN_DEPTH = 64;

const tooDeep = `the plan is nested more than ${MAX_PLAN_DEPTH} levels deep (a plan needs about 6): is this the right file, or did a generator loop?`;

function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError || /Maximum call stack size exceeded/.test(String((error as Error | undefined)?.message));
}

/** The path to the first value nested deeper than MAX_PLAN_DEPTH, or undefined. Walks with a stack: no recursion to overflow. */
function deepestPath(data: unknown): Path | undefined {
  const stack: { value: unknown; path: Path }[] = [{ value: data, path: [] }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    if (next.path.length > MAX_PLAN_DEPTH) return next.path.slice(0, MAX_PLAN_DEPTH);
    if (Array.isArray(next.value)) next.value.forEach((value, i) => stack.push({ value, path: [...next!.path, i] }));
    else if (next.value !== null && typeof next.value === 'object') for (const [key, value] of Object.entries(next.value)) stack.push({ value, path: [...next.path, key] });
  }
  return undefined;
}

/** The document as plain data; an alias that resolves to nothing, or to too much, is a plan error at that alias. */
function toData(doc: Document, locate: Locator, fail: (problems: PlanProblem[]) => PlanError): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (error) {
    if (isStackOverflow(error)) throw fail([{ where: locate.at(0), path: '', message: tooDeep, severity: 'error' }]);
    const message = (error as Error).message;
    let at = 0;
    visit(doc, {
      Alias(_key, node) {
        if (message.includes(`: ${node.source}`) || !at) at = node.range?.[0] ?? at;
      },
    });
    throw fail([{ where: locate.at(at), path: '', message: message.split('\n')[0]!, severity: 'error' }]);
  }
}

export function parsePlan(text: string, file: string, options: LoadOptions): LoadedPlan {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const locate = new Locator(file, doc, lines);
  const fail = (problems: PlanProblem[]) => {
    const errors = problems.filter((p) => p.severity === 'error');
    return new PlanError(`The plan ${file} has ${errors.length} problem${errors.length === 1 ? '' : 's'}.`, problems);
  };
  const overflow = doc.errors.find((e) => isStackOverflow(e));
  if (overflow) throw fail([{ where: locate.at(overflow.pos[0]), path: '', message: tooDeep, severity: 'error' }]);
  if (doc.errors.length > 0) {
    // One mistake can derail the parser into dozens of errors: the first few say where it is.
    const shown = doc.errors.slice(0, 5).map((e): PlanProblem => ({ where: locate.at(e.pos[0]), path: '', message: e.message.split('\n')[0]!, severity: 'error' }));
    if (doc.errors.length > shown.length) shown.push({ where: file, path: '', message: `and ${doc.errors.length - shown.length} more YAML errors after those`, severity: 'error' });
    const error = fail(shown);
    // `{path: ${DIR}}`: in a flow map `{` opens a nested map, so ${VAR} there must be quoted.
    if (/\{[^}\n]*[:,]\s*\$\{/.test(text)) throw new PlanError(error.message, error.problems, { hint: 'A ${VAR} inside {...} must be quoted: {path: "${DIR}"} (or write the map as indented lines).' });
    throw error;
  }
  const raw = toData(doc, locate, fail);
  const deep = deepestPath(raw);
  if (deep) throw fail([{ where: locate.where(deep), path: `${formatPath(deep.slice(0, 3))}...`, message: tooDeep, severity: 'error' }]);
  const secrets = options.secrets ?? new Secrets();
  const unset: Unset[] = [];
  const values = interpolate(raw, options.env ?? process.env, secrets, unset);
  const problems: PlanProblem[] = [
    ...literalPasswords(raw).map((p) => ({
      where: locate.where(p),
      path: formatPath(p),
      message: 'a password is written into this URL in clear; put it in the environment and write ${VAR} instead',
      severity: 'error' as const,
    })),
    ...literalPassphrase(raw).map((p) => ({
      where: locate.where(p),
      path: formatPath(p),
      message: 'the passphrase is written in clear; put it in the environment and write ${VAR} instead (nothing else in the value)',
      severity: 'error' as const,
    })),
    ...unset.map((u) => ({
      where: locate.where(u.path),
      path: formatPath(u.path),
      message: `the environment variable ${u.variable} is not set (write \${${u.variable}:-default} for a default)`,
      severity: 'error' as const,
    })),
  ];
  const parsed = planSchema.safeParse(defaultStorage(values));
  if (!parsed.success) throw fail([...problems, ...schemaProblems(parsed.error.issues, locate)]);
  const dir = dirname(file);
  problems.push(
    // A rule about a value that is not set would only repeat that it is not set (the passphrase "is too short").
    ...checkRules(parsed.data, { planDir: dir, ...options.capabilities })
      .filter((p) => !unset.some((u) => formatPath(u.path) === formatPath(p.path)))
      .map((p) => ({
      where: locate.where(p.path),
      path: formatPath(p.path),
      message: p.message,
      severity: p.severity,
    })),
  );
  if (problems.some((p) => p.severity === 'error')) throw fail(problems);
  return {
    plan: parsed.data,
    file,
    dir,
    hash: createHash('sha256').update(text).digest('hex'),
    secrets,
    warnings: problems,
  };
}

/**
 * A files source without `storage` is a repository (only what changed is
 * stored), except in a plan with a write-once target (a GitHub artifact or
 * cache takes each key once and cannot hold a repository): there it is a tar.
 * Decided here, on the plan as written, because only here can "not written"
 * be told from "written: repository" (which the rules refuse with such a target).
 */
function defaultStorage(values: unknown): unknown {
  if (typeof values !== 'object' || values === null) return values;
  const { sources, targets } = values as { sources?: unknown; targets?: unknown };
  if (!Array.isArray(sources)) return values;
  const writeOnce = Array.isArray(targets) && targets.some((t) => WRITE_ONCE_TYPES.has((t as { type?: unknown } | null)?.type as string));
  return {
    ...values,
    sources: sources.map((s) => (s && typeof s === 'object' && (s as { type?: unknown }).type === 'files' && !('storage' in s) ? { ...s, storage: writeOnce ? 'tar' : 'repository' } : s)),
  };
}
