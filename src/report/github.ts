/**
 * The Action's reporter: one collapsible group per pipeline step, closed with
 * its outcome and timing on a line of its own (so the collapsed log still
 * reads as a list of steps with times), warnings and errors as annotations.
 *
 * Masking: with `mask`, every secret is registered with the runner
 * (`::add-mask::`) the moment the plan's interpolation records it, before
 * any line can carry it; lines are also redacted here, so a secret stays out
 * of the log even where the runner's masking would not apply. Only the
 * Action's entry sets `mask`, and only inside GitHub Actions: elsewhere the
 * `::add-mask::` line itself would print the secret.
 */
import * as core from '@actions/core';
import type { Reporter, StepStatus } from './reporter.js';
import type { Secrets } from './secrets.js';
import { Progress } from './progress.js';

const PROGRESS_EVERY_MS = 30_000;

/** A `file:line:column` position (plan problems carry one) as annotation properties. */
export function annotationAt(where: string, workspace?: string): core.AnnotationProperties {
  const match = /^(.*):(\d+):(\d+)$/.exec(where);
  if (!match) return {};
  const [, file, line, column] = match as unknown as [string, string, string, string];
  const relative = workspace && file.startsWith(`${workspace}/`) ? file.slice(workspace.length + 1) : file;
  return { file: relative, startLine: Number(line), startColumn: Number(column) };
}

/** What the runner needs masked for one secret: the value, its URL-encoded form, and each line of a multi-line value. */
export function maskedForms(value: string): string[] {
  const forms = new Set([value, encodeURIComponent(value)]);
  for (const line of value.split(/\r?\n/)) if (line.trim().length >= 4) forms.add(line);
  return [...forms];
}

export class GitHubReporter implements Reporter {
  private openGroup: { id: string; title: string } | undefined;
  private readonly progressLines = new Progress('plain', (text) => core.info(this.r(text.replace(/\n$/, ''))), { intervalMs: PROGRESS_EVERY_MS });

  constructor(
    private readonly secrets: Secrets,
    options: { mask: boolean },
  ) {
    if (options.mask) secrets.onAdd((value) => maskedForms(value).forEach((form) => core.setSecret(form)));
  }

  private r(text: string): string {
    return this.secrets.redact(text);
  }

  info(message: string): void {
    core.info(this.r(message));
  }
  warn(message: string): void {
    core.warning(this.r(message));
  }
  error(message: string, hint?: string): void {
    core.error(this.r(hint ? `${message}\nHint: ${hint}` : message));
  }
  debug(message: string): void {
    core.debug(this.r(message));
  }
  stepStarted(id: string, title: string): void {
    this.closeGroup();
    core.startGroup(this.r(title));
    this.openGroup = { id, title };
  }
  stepFinished(id: string, status: StepStatus, ms: number, note?: string): void {
    const title = this.openGroup?.id === id ? this.openGroup.title : id;
    this.progressLines.finish(id);
    this.closeGroup();
    // A failed step is not annotated here: the run's error, annotated once at the end, says why.
    const mark = { ok: '✓', failed: '✗', skipped: '-' }[status];
    core.info(this.r(`${mark} ${title}: ${status} in ${(ms / 1000).toFixed(2)}s${note ? ` (${note})` : ''}`));
  }
  progress(id: string, done: number, total?: number, label?: string): void {
    this.progressLines.update(id, done, total, label ?? (this.openGroup?.id === id ? this.openGroup.title : id));
  }
  output(text: string): void {
    this.closeGroup();
    core.info(this.r(text));
  }

  private closeGroup(): void {
    if (this.openGroup !== undefined) core.endGroup();
    this.openGroup = undefined;
  }
}
