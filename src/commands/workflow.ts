import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { RefusedError } from '../errors.js';
import { readPlanFacts } from '../workflows/facts.js';
import { DEFAULT_USES, planWorkflows } from '../workflows/templates.js';
import type { Command } from './context.js';

type Status = 'new' | 'unchanged' | 'changed';

async function statusOf(path: string, content: string): Promise<Status> {
  const existing = await readFile(path, 'utf8').catch(() => null);
  return existing === null ? 'new' : existing === content ? 'unchanged' : 'changed';
}

/**
 * Writes the plan's workflows (scheduled backup, weekly drill, restore on
 * demand) into .github/workflows. Never overwrites a file that differs (it
 * may hold the user's edits) without --force; --dry-run prints them instead.
 */
export const workflow: Command = async (input, io) => {
  const planFile = resolve(input.planPath);
  const facts = await readPlanFacts(planFile);
  const planPath = relative(process.cwd(), planFile).split(sep).join('/');
  if (planPath.startsWith('../')) io.reporter.warn(`The plan ${planFile} is outside this folder; run \`restorable workflow\` from the repository's root so the workflows find it.`);
  let runsOn = input.runsOn ?? [];
  if (runsOn.length === 0) {
    runsOn = facts.localSources.length > 0 ? ['self-hosted'] : ['ubuntu-latest'];
    io.reporter.info(
      facts.localSources.length > 0
        ? `runs-on: self-hosted, because the sources ${facts.localSources.join(', ')} read files on the machine that holds them (--runs-on LABEL to change)`
        : 'runs-on: ubuntu-latest (--runs-on LABEL to change)',
    );
  }
  const outDir = resolve(input.out ?? join('.github', 'workflows'));
  const files = await Promise.all(
    planWorkflows(facts, { planPath, uses: input.uses ?? DEFAULT_USES, runsOn }).map(async (w) => ({ ...w, path: join(outDir, w.file), status: await statusOf(join(outDir, w.file), w.content) })),
  );
  const listing = files.map((f) => ({ path: f.path, status: f.status, about: f.about }));
  if (input.dryRun) {
    if (!input.json) io.reporter.output(files.map((f) => `# ${f.path} (${f.status}): ${f.about}\n${f.content}`).join('\n'));
    return { dryRun: true, files: listing };
  }
  const changed = files.filter((f) => f.status === 'changed');
  if (changed.length > 0 && !input.force) {
    throw new RefusedError(`${changed.map((f) => f.path).join(', ')} already exist${changed.length === 1 ? 's' : ''} with other content; nothing was written.`, {
      hint: 'Compare with `restorable workflow --dry-run`, then pass --force to replace them.',
    });
  }
  await mkdir(outDir, { recursive: true });
  for (const f of files.filter((f) => f.status !== 'unchanged')) {
    // A workflow file is never seen half-written (a push in between would run it).
    await writeFile(`${f.path}.tmp`, f.content);
    await rename(`${f.path}.tmp`, f.path);
  }
  if (!input.json) io.reporter.output(files.map((f) => `${f.status === 'unchanged' ? 'unchanged' : f.status === 'new' ? 'wrote    ' : 'replaced '} ${relative(process.cwd(), f.path)}: ${f.about}`).join('\n'));
  return { dryRun: false, files: listing };
};
