import { relative } from 'node:path';
import { compileBackup } from '../plan/compile.js';
import { stepView } from '../pipeline/steps.js';
import { load, type Command } from './context.js';

/** The dry run: prints the compiled pipeline, touching nothing. */
export const planCommand: Command = async (input, io) => {
  const loaded = await load(input, io);
  const pipeline = compileBackup(loaded.plan, loaded.dir);
  if (!input.json) {
    const lines = [`Plan "${pipeline.plan}": backup pipeline (dry run, nothing is touched)`];
    pipeline.steps.forEach((step, index) => {
      lines.push(`${String(index + 1).padStart(2)}. ${step.title}${step.always ? ' (always runs)' : ''}`);
      for (const detail of step.detail) lines.push(`      ${detail}`);
    });
    // The Action compiles the same plan into the same steps; say how to get them there.
    lines.push(`The GitHub Action runs these same steps with \`command: backup\` and \`plan: ${relative(process.cwd(), loaded.file) || loaded.file}\` (\`restorable workflow\` writes the workflows).`);
    io.reporter.output(lines.join('\n'));
  }
  return { ...pipeline, steps: pipeline.steps.map(stepView) };
};
