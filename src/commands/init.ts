/**
 * `restorable init`: writes a commented plan for an app from a preset and
 * what the app's folder says (docker-compose.yml, .env). Every answer can
 * be given by a flag; on a terminal the rest are asked, elsewhere their
 * suggestions are taken. It never replaces a plan without --force, and ends
 * by validating the plan and saying what is left to fill in.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { parseDocument } from 'yaml';
import { PlanError, RefusedError, UsageError } from '../errors.js';
import { readAppFolder, type AppFolder } from '../presets/compose.js';
import { presetNamed, presets } from '../presets/index.js';
import type { Answers, Preset } from '../presets/preset.js';
import type { CommandIO, CommandInput } from './context.js';
import { validate } from './validate.js';

const ANSWER_KEYS = [...new Set(presets.flatMap((p) => p.questions.map((q) => q.key)))];

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        preset: { type: 'string' },
        path: { type: 'string' },
        out: { type: 'string', default: 'restorable.yml' },
        list: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        yes: { type: 'boolean', short: 'y', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        ...Object.fromEntries(ANSWER_KEYS.map((k) => [k, { type: 'string' as const }])),
      },
    });
  } catch (error) {
    throw new UsageError(`restorable init: ${(error as Error).message}`, { hint: 'Run `restorable init --help` for the options.' });
  }
}

function usage(preset: Preset | undefined): string {
  const list = presets.map((p) => `  ${p.name.padEnd(12)} ${p.title}`).join('\n');
  const questions = (preset ? [preset] : presets).flatMap((p) => p.questions.map((q) => `  --${q.key.padEnd(16)} ${q.ask}${preset ? '' : ` (${p.name})`}`));
  return `Usage: restorable init [--preset NAME] [--path APP_FOLDER] [--out FILE] [--force] [--yes] [--ANSWER VALUE...]
       restorable init --list

Writes a commented plan for an app (reading docker-compose.yml and .env in --path),
then validates it. Answers not given as flags are asked on a terminal (--yes takes
the suggestions), and taken from the app's folder or defaults elsewhere.

Presets:
${list}

Answers${preset ? ` (${preset.name})` : ''}:
${[...new Set(questions)].join('\n')}`;
}

/** Asks on the terminal, or takes the suggestion. */
interface Asker {
  ask(question: string, suggestion: string, choices?: readonly string[]): Promise<string>;
  close(): void;
}

function terminalAsker(): Asker {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  return {
    async ask(question, suggestion, choices) {
      for (;;) {
        const hint = choices ? ` (${choices.join('/')})` : '';
        const answer = (await rl.question(`${question}${hint} [${suggestion}]: `)).trim() || suggestion;
        if (!choices || choices.includes(answer)) return answer;
        process.stderr.write(`Please answer one of: ${choices.join(', ')}\n`);
      }
    },
    close: () => rl.close(),
  };
}

const suggestions: Asker = { ask: async (_q, suggestion) => suggestion, close: () => undefined };

async function answersFor(preset: Preset, app: AppFolder, flags: Record<string, unknown>, asker: Asker): Promise<Answers> {
  const answers: Answers = {};
  for (const q of preset.questions) {
    if (q.when && !q.when(answers)) continue;
    const given = flags[q.key];
    const answer = typeof given === 'string' ? given : await asker.ask(q.ask, q.suggest(app, answers), q.choices);
    if (q.choices && !q.choices.includes(answer)) throw new UsageError(`--${q.key} ${answer}: expected one of ${q.choices.join(', ')}.`);
    answers[q.key] = answer;
  }
  return answers;
}

export async function init(argv: string[], io: Pick<CommandIO, 'reporter' | 'env' | 'signal' | 'secrets'>): Promise<unknown> {
  const { values } = parse(argv);
  const flags = values as Record<string, unknown>;
  const named = values.preset === undefined ? undefined : presetNamed(values.preset);
  if (values.preset !== undefined && !named) throw new UsageError(`No preset is named "${values.preset}".`, { hint: `Presets: ${presets.map((p) => p.name).join(', ')} (restorable init --list).` });
  if (values.help) {
    io.reporter.output(usage(named));
    return undefined;
  }
  if (values.list) {
    io.reporter.output(presets.map((p) => `${p.name.padEnd(12)} ${p.title.padEnd(14)} ${p.docs[0]}`).join('\n'));
    return { presets: presets.map((p) => ({ name: p.name, title: p.title, docs: p.docs })) };
  }
  const interactive = process.stdin.isTTY === true && !values.yes;
  const asker = interactive ? terminalAsker() : suggestions;
  try {
    let preset = named;
    if (!preset) {
      if (!interactive) throw new UsageError('restorable init needs --preset when it cannot ask (no terminal).', { hint: `Presets: ${presets.map((p) => p.name).join(', ')}.` });
      const name = await asker.ask('Which app', presets[0]!.name, presets.map((p) => p.name));
      preset = presetNamed(name)!;
    }
    const dir = values.path ?? (interactive ? await asker.ask('The app folder (its docker-compose.yml and .env)', process.cwd()) : process.cwd());
    const app = readAppFolder(dir, io.env);
    const answers = await answersFor(preset, app, flags, asker);
    return await writePlan(preset, app, answers, resolve(values.out), values.force, io);
  } finally {
    asker.close();
  }
}

async function writePlan(preset: Preset, app: AppFolder, answers: Answers, out: string, force: boolean, io: Pick<CommandIO, 'reporter' | 'env' | 'signal' | 'secrets'>): Promise<unknown> {
  const text = preset.render(answers, app);
  // The preset's text is written as rendered (its layout and comments); it must parse, or the preset has a bug.
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new Error(`preset ${preset.name} rendered invalid YAML: ${doc.errors[0]!.message}`);
  try {
    await writeFile(out, text, { flag: force ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new RefusedError(`${out} exists; nothing was written.`, { hint: 'Pass --force to replace it (your edits in it are lost), or --out to write elsewhere.' });
  }
  const read = app.composeFile ? `read ${app.composeFile}${Object.keys(app.env).length > 0 ? ' and .env' : ''}` : 'no docker-compose file found: used the defaults and your answers';
  io.reporter.output(`Wrote ${out} for ${preset.title} (${read}).`);
  const input = { planPath: out, json: false } as CommandInput;
  let invalid: PlanError | undefined;
  try {
    await validate(input, { ...io });
  } catch (error) {
    if (!(error instanceof PlanError)) throw error;
    invalid = error;
  }
  const todo = preset.todo(answers);
  io.reporter.output(['Left to do:', ...todo.map((t) => `  - ${t}`), `  - run \`restorable backup --plan ${out}\`, then \`restorable drill --plan ${out}\` to prove a restore`].join('\n'));
  if (invalid) throw invalid; // printed with its problems, file:line:column, exit 2
  return { file: out, preset: preset.name, answers, todo };
}
