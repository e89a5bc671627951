/**
 * What `restorable init` learns from an app's folder: its docker-compose
 * file and `.env`, read as data (never run). Values are interpolated as
 * compose does (`${VAR}`, `${VAR:-default}`, `$VAR`, from `.env` first, then
 * the environment), and each service's bind mounts are resolved to host
 * paths against the compose file's folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { parse as parseYaml } from 'yaml';
import { UsageError, reason } from '../errors.js';

export interface Mount {
  /** The host path (absolute), or a named volume's name. */
  source: string;
  /** The path inside the container. */
  target: string;
  /** A named volume, whose host path docker chooses: it cannot be read from here by path. */
  volume: boolean;
}

export interface Service {
  name: string;
  /** `container_name`, else compose's default `<project>-<service>-1`. */
  container: string;
  image: string;
  mounts: Mount[];
  environment: Record<string, string>;
}

export interface AppFolder {
  dir: string;
  /** The compose file read, if any. */
  composeFile: string | undefined;
  /** `.env` merged over the environment compose would see. */
  env: Record<string, string>;
  services: Service[];
}

const COMPOSE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];

/** Compose's interpolation: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `$VAR`, `$$` for a dollar. */
export function interpolateCompose(text: string, env: Record<string, string | undefined>): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)[-?]([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, braced?: string, colon?: string, fallback?: string, bare?: string) => {
    if (match === '$$') return '$';
    const value = env[(braced ?? bare)!];
    if (fallback !== undefined && (value === undefined || (colon === ':' && value === ''))) return fallback;
    return value ?? '';
  });
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function environmentOf(value: unknown): Record<string, string> {
  if (Array.isArray(value)) {
    return Object.fromEntries(value.map(String).map((line) => (line.includes('=') ? [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] : [line, ''])));
  }
  return Object.fromEntries(Object.entries(asRecord(value)).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
}

function mountsOf(value: unknown, dir: string): Mount[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry): Mount[] => {
    let source: string | undefined;
    let target: string | undefined;
    if (typeof entry === 'string') {
      // source:target[:mode]; a lone path is an anonymous volume.
      const parts = entry.split(':');
      if (parts.length < 2) return [];
      [source, target] = parts;
    } else {
      const long = asRecord(entry);
      source = typeof long.source === 'string' ? long.source : undefined;
      target = typeof long.target === 'string' ? long.target : undefined;
    }
    if (!source || !target) return [];
    const bind = source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
    return [{ source: bind ? resolve(dir, source.replace(/^~(?=\/)/, process.env.HOME ?? '~')) : source, target: target.replace(/\/+$/, '') || '/', volume: !bind }];
  });
}

/** Reads `dir`'s compose file and `.env` (both optional). A file that cannot be parsed is an error naming it. */
export function readAppFolder(dir: string, base: NodeJS.ProcessEnv = process.env): AppFolder {
  const root = resolve(dir);
  if (!existsSync(root)) throw new UsageError(`The app folder ${root} does not exist.`, { hint: 'Pass --path with the folder that holds the app (its docker-compose.yml and .env).' });
  const envFile = join(root, '.env');
  let dotenv: Record<string, string> = {};
  if (existsSync(envFile)) dotenv = parseDotenv(readFileSync(envFile, 'utf8'));
  const env: Record<string, string> = { ...Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined)), ...dotenv };
  const composeFile = COMPOSE_FILES.map((f) => join(root, f)).find((f) => existsSync(f));
  if (!composeFile) return { dir: root, composeFile: undefined, env: dotenv, services: [] };
  let doc: Record<string, unknown>;
  try {
    doc = asRecord(parseYaml(interpolateCompose(readFileSync(composeFile, 'utf8'), env)));
  } catch (error) {
    throw new UsageError(`Cannot read ${composeFile}: ${reason(error)}`, { hint: 'Fix the file (docker compose config shows what compose makes of it), or answer the questions by flags.' });
  }
  const project = typeof doc.name === 'string' ? doc.name : (root.split('/').pop() ?? 'app').toLowerCase().replace(/[^a-z0-9_-]/g, '');
  const services = Object.entries(asRecord(doc.services)).map(([name, value]): Service => {
    const s = asRecord(value);
    return {
      name,
      container: typeof s.container_name === 'string' ? s.container_name : `${project}-${name}-1`,
      image: typeof s.image === 'string' ? s.image : '',
      mounts: mountsOf(s.volumes, root),
      environment: environmentOf(s.environment),
    };
  });
  return { dir: root, composeFile, env: dotenv, services };
}

/** The first service whose image matches. */
export function serviceByImage(app: AppFolder, pattern: RegExp): Service | undefined {
  return app.services.find((s) => pattern.test(s.image));
}

/** Where `target` (a path inside the container) is mounted from, on the host; undefined for named volumes. */
export function hostPathOf(service: Service | undefined, target: string): string | undefined {
  const mount = service?.mounts.find((m) => m.target === target.replace(/\/+$/, ''));
  return mount && !mount.volume ? mount.source : undefined;
}

/** `value` as an absolute path: relative ones are relative to the app folder, as compose reads them. */
export function inApp(app: AppFolder, value: string): string {
  return isAbsolute(value) ? value : resolve(app.dir, value);
}
