/**
 * An app preset: what `restorable init` asks and the plan it writes. A
 * preset is data plus one function that renders the plan as commented YAML
 * text; the written plan is an ordinary plan the user owns, and nothing of
 * the preset runs at backup or restore time.
 */
import type { AppFolder } from './compose.js';

export type Answers = Record<string, string>;

export interface Question {
  /** Answered by `--<key> VALUE` (a `no-<key>` flag answers "no" to yes/no questions). */
  key: string;
  /** Asked on a terminal when no flag answered it. */
  ask: string;
  /** The answer when nobody gives one: from the app's compose file and .env, or a fixed default. */
  suggest(app: AppFolder, answers: Answers): string;
  /** Only asked (and used) when this holds. */
  when?(answers: Answers): boolean;
  /** The only answers allowed. */
  choices?: readonly string[];
}

export interface Preset {
  name: string;
  title: string;
  /** The app's own backup documentation, cited in the plan. */
  docs: readonly string[];
  questions: readonly Question[];
  /** The plan, as YAML text with comments. Values go through `yamlValue`. */
  render(answers: Answers, app: AppFolder): string;
  /** What is left for the user to do once the plan is written (secrets, targets...). */
  todo(answers: Answers): string[];
}

/** A value as YAML: JSON's double-quoted strings are valid YAML, so nothing in a value changes the plan's structure. */
export function yamlValue(value: string | number | readonly string[]): string {
  if (Array.isArray(value)) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
  return JSON.stringify(value);
}

/** `docker exec -i x` typed as one answer, as an argument array (split on white space: no shell, no quoting). */
export function argvOf(answer: string): string[] {
  return answer.split(/\s+/).filter(Boolean);
}

export const isNo = (answer: string | undefined) => answer === undefined || /^(no|n|none|false|off|-)$/i.test(answer.trim());
