/**
 * Runs the bundled Action (dist/index.js) the way a runner does: from a copy
 * of action.yml + dist/ with no node_modules beside it (so the bundle must be
 * self-contained and better-sqlite3 cannot load), on Node 24, with INPUT_*
 * variables, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and GITHUB_WORKSPACE set.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './cli.js';

export interface ActionRun {
  code: number;
  /** stdout and stderr interleaved as the runner's log sees them (both streams end up in the log). */
  log: string;
  outputs: Record<string, string>;
  summary: string;
}

/** A copy of the Action as a runner checks it out: action.yml and dist/ only. */
export function actionCheckout(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'restorable-action-'));
  cpSync(join(ROOT, 'action.yml'), join(dir, 'action.yml'));
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Parses the GITHUB_OUTPUT file: `name<<DELIMITER\nvalue\nDELIMITER` blocks (or name=value lines). */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]!);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const end = lines.indexOf(delimiter, i + 1);
      out[name] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (lines[i]!.includes('=')) {
      const at = lines[i]!.indexOf('=');
      out[lines[i]!.slice(0, at)] = lines[i]!.slice(at + 1);
    }
  }
  return out;
}

export function runAction(options: { node: string; actionDir: string; workspace: string; inputs: Record<string, string>; env?: NodeJS.ProcessEnv }): Promise<ActionRun> {
  const files = mkdtempSync(join(tmpdir(), 'restorable-runner-'));
  const outputFile = join(files, 'output');
  const summaryFile = join(files, 'summary.md');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  // The runner's environment, not the test's: no INPUT_* or GITHUB_* leaking in.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(INPUT_|GITHUB_|RUNNER_|NODE_OPTIONS$|NODE_PATH$)/.test(k)));
  const env: NodeJS.ProcessEnv = {
    ...base,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_EVENT_NAME: 'workflow_dispatch',
    GITHUB_REPOSITORY: 'acme/photos',
    GITHUB_RUN_ID: '4242',
    RUNNER_TEMP: files,
    ...Object.fromEntries(Object.entries(options.inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    ...options.env,
  };
  return new Promise((resolvePromise, reject) => {
    const child = spawn(options.node, [join(options.actionDir, 'dist', 'index.js')], { cwd: options.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      const run = {
        code: code ?? -1,
        log,
        outputs: existsSync(outputFile) ? parseOutputs(readFileSync(outputFile, 'utf8')) : {},
        summary: existsSync(summaryFile) ? readFileSync(summaryFile, 'utf8') : '',
      };
      rmSync(files, { recursive: true, force: true });
      resolvePromise(run);
    });
  });
}
