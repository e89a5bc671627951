/**
 * The secret-leak net over the whole suite: runCli appends every stdout and
 * stderr it sees to .cache/test-logs/, and records the secrets each run was
 * given (env variables named like secrets, identity files, and anything a
 * test plants). test/last/no-secret-in-logs.test.ts runs after every other
 * file (vitest.config.ts) and fails on any log line holding a planted secret.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const LOG_DIR = resolve(import.meta.dirname, '..', '..', '.cache', 'test-logs', process.env.RESTORABLE_TEST_RUN ?? 'adhoc');
const SECRET_NAME = /PASS|SECRET|TOKEN|PRIVATE_KEY|IDENTITY/i;
const IDENTITY_LINE = /^AGE-SECRET-KEY-[0-9A-Z-]+$/;

function ensure(dir: string): void {
  mkdirSync(dir, { recursive: true });
}

/** Records a secret that must never appear in any output of the suite. */
export function plantSecret(value: string, dir = LOG_DIR): void {
  if (value.length < 4) throw new Error('a planted secret must be at least 4 characters (shorter ones are not redacted, by design)');
  ensure(dir);
  appendFileSync(join(dir, `planted-${process.pid}.jsonl`), `${JSON.stringify(value)}\n`);
}

/** The secrets in a run's environment: values of secret-named variables; for a path to an age identity file, its keys. */
export function secretsOf(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env).flatMap(([name, value]) => {
    if (!value || !SECRET_NAME.test(name)) return [];
    if (name.includes('IDENTITY') && !value.startsWith('AGE-SECRET-KEY-') && existsSync(value)) {
      return readFileSync(value, 'utf8').split('\n').map((l) => l.trim()).filter((l) => IDENTITY_LINE.test(l));
    }
    return value.length >= 4 ? [value] : [];
  });
}

export function recordRun(args: string[], env: NodeJS.ProcessEnv, stdout: string, stderr: string, dir = LOG_DIR): void {
  ensure(dir);
  for (const secret of secretsOf(env)) plantSecret(secret, dir);
  const block = [`### ${new Date().toISOString()} restorable ${args.join(' ')}`, ...stdout.split('\n').map((l) => `out| ${l}`), ...stderr.split('\n').map((l) => `err| ${l}`)];
  appendFileSync(join(dir, `run-${process.pid}.log`), `${block.join('\n')}\n`);
}

export interface Leak {
  secret: string;
  file: string;
  line: number;
  text: string;
}

/** Every log line holding a planted secret (raw or URL-encoded). */
export function scanLogs(dir = LOG_DIR): { leaks: Leak[]; secrets: number; lines: number } {
  if (!existsSync(dir)) return { leaks: [], secrets: 0, lines: 0 };
  const files = readdirSync(dir);
  const secrets = new Set(
    files.filter((f) => f.startsWith('planted-')).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as string)),
  );
  const needles = [...secrets].flatMap((s) => [s, encodeURIComponent(s)].filter((n, i, all) => all.indexOf(n) === i).map((n) => ({ secret: s, needle: n })));
  const leaks: Leak[] = [];
  let lines = 0;
  for (const file of files.filter((f) => f.startsWith('run-'))) {
    readFileSync(join(dir, file), 'utf8').split('\n').forEach((text, index) => {
      // `### ...` heads a run with the arguments the test typed, some on purpose with a password in them.
      if (text.startsWith('### ')) return;
      lines += 1;
      for (const { secret, needle } of needles) if (text.includes(needle)) leaks.push({ secret, file, line: index + 1, text });
    });
  }
  return { leaks, secrets: secrets.size, lines };
}

/**
 * Records something the CLI sent elsewhere (a webhook body, a mail, a metrics
 * file, a status page) as one more output, so the suite's scan covers it too.
 */
export function recordSent(what: string, text: string, dir = LOG_DIR): void {
  ensure(dir);
  const block = [`### ${new Date().toISOString()} sent: ${what}`, ...text.split('\n').map((l) => `sent| ${l}`)];
  appendFileSync(join(dir, `run-${process.pid}.log`), `${block.join('\n')}\n`);
}
