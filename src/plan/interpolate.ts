/**
 * `${VAR}` and `${VAR:-default}` in plan values, read from the environment.
 * Interpolation runs on parsed scalar values, never on the YAML text, so a
 * value holding YAML syntax cannot change the plan's structure. Every value
 * taken from the environment is a secret: it is registered for redaction.
 * `$${` stands for a literal `${`.
 */
import type { Secrets } from '../report/secrets.js';

const PLACEHOLDER = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface Unset {
  path: (string | number)[];
  variable: string;
}

function interpolateString(text: string, env: NodeJS.ProcessEnv, secrets: Secrets, onUnset: (variable: string) => void): string {
  return text.replace(PLACEHOLDER, (match, variable: string | undefined, fallback: string | undefined) => {
    if (match === '$${') return '${';
    const value = env[variable!];
    if (value !== undefined && !(fallback !== undefined && value === '')) {
      secrets.add(value);
      return value;
    }
    if (fallback !== undefined) return fallback;
    onUnset(variable!);
    return match;
  });
}

/** A deep copy of `value` with every placeholder replaced; unset variables are collected. */
export function interpolate(value: unknown, env: NodeJS.ProcessEnv, secrets: Secrets, unset: Unset[] = [], path: (string | number)[] = []): unknown {
  if (typeof value === 'string') {
    return interpolateString(value, env, secrets, (variable) => unset.push({ path, variable }));
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolate(item, env, secrets, unset, [...path, index]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, env, secrets, unset, [...path, key])]));
  }
  return value;
}

/** The names of the environment variables a plan reads through `${VAR}` (what a workflow must provide). */
export function placeholderNames(value: unknown): string[] {
  const names = new Set<string>();
  const visit = (item: unknown): void => {
    if (typeof item === 'string') {
      for (const match of item.matchAll(PLACEHOLDER)) if (match[1]) names.add(match[1]);
    } else if (Array.isArray(item)) item.forEach(visit);
    else if (item !== null && typeof item === 'object') Object.values(item).forEach(visit);
  };
  visit(value);
  return [...names].sort();
}

/** Paths of string values that hold a password written into a URL in clear. */
export function literalPasswords(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'string') {
    const match = /^[a-z][a-z0-9+.-]*:\/\/[^/@:\s]*:([^@\s]+)@/i.exec(value);
    return match && !match[1]!.includes('${') ? [path] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => literalPasswords(item, [...path, index]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => literalPasswords(item, [...path, key]));
  }
  return [];
}

/**
 * The path of encryption.passphrase when it is written in clear: a
 * passphrase must come from the environment (`${VAR}`), like a password.
 */
export function literalPassphrase(raw: unknown): (string | number)[][] {
  const encryption = (raw as { encryption?: { passphrase?: unknown } } | null)?.encryption;
  const value = encryption?.passphrase;
  if (typeof value !== 'string') return [];
  return /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(value.trim()) ? [] : [['encryption', 'passphrase']];
}
