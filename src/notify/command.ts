/** The command notifier: an argument array (never a shell), told the outcome through RESTORABLE_* variables. */
import { runCommand } from '../util/spawn.js';
import type { CommandNotifierConfig } from './config.js';
import type { RunReport } from './report.js';

/** The variables a notify command receives, beside the environment restorable runs in. */
export function reportEnv(report: RunReport): Record<string, string> {
  return {
    RESTORABLE_EVENT: report.event,
    RESTORABLE_PLAN: report.plan,
    RESTORABLE_COMMAND: report.command,
    RESTORABLE_OK: String(report.ok),
    RESTORABLE_EXIT_CODE: String(report.exit_code),
    RESTORABLE_TITLE: report.title,
    RESTORABLE_MESSAGE: report.message,
    RESTORABLE_BACKUP_ID: report.backup_id ?? '',
    // The whole report, for a script that wants more than the above.
    RESTORABLE_REPORT: JSON.stringify(report),
  };
}

export async function runNotifyCommand(config: CommandNotifierConfig, report: RunReport, planDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const result = await runCommand(config.command, { cwd: planDir, timeoutMs: config.timeout, env: { ...env, ...reportEnv(report) } });
  if (result.timedOut) throw new Error(`timed out after ${config.timeout / 1000}s`);
  if (result.code !== 0) {
    const last = (result.stderr || result.stdout).trim().split('\n').slice(-1)[0];
    throw new Error(`exit ${result.signal ?? result.code}${last ? `: ${last}` : ''}`);
  }
}
