/**
 * Reference checks: every file a restored database names exists in the
 * restored files source. An app's database and its folders are backed up
 * one after the other, so a backup can hold rows whose files it lacks (an
 * upload between the two snapshots, an excluded folder the app still
 * needs); only a check across both sees it.
 *
 * The check's query returns one path per row. It is wrapped so that the
 * source returns all of them as one JSON array (the adapters' `query` gives
 * one value): `json_agg` in PostgreSQL, `json_group_array` in SQLite.
 */
import { lstat } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';

export interface FilesExist {
  /** The files source the paths are in. */
  in: string;
  /** What the app puts before the path inside that source, e.g. `/usr/src/app/upload` (Immich's mount point). */
  strip_prefix?: string | undefined;
}

/** The check's query, rewritten to return every row's first column as one JSON array. */
export function allRowsQuery(sourceType: string, sql: string): string {
  const inner = sql.trim().replace(/;+\s*$/, '');
  if (sourceType === 'postgres') return `with q(p) as (\n${inner}\n) select coalesce(json_agg(p), '[]'::json) from q`;
  return `with q(p) as (\n${inner}\n) select json_group_array(p) from q`;
}

/** The JSON array `allRowsQuery` made, as it came back from the source (parsed already by node-postgres, text from SQLite). */
export function pathsOf(value: unknown): string[] {
  const list = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  if (!Array.isArray(list)) throw new Error(`expected the query to return paths, got ${JSON.stringify(value)}`);
  return list.filter((p): p is string => typeof p === 'string' && p !== '');
}

/** Where `path` is under `root`, or undefined when it is outside the source (another prefix, `..`). */
function within(root: string, path: string, strip: string | undefined): string | undefined {
  let rel = path;
  if (strip !== undefined) {
    const prefix = strip.replace(/\/+$/, '');
    if (rel === prefix || !rel.startsWith(`${prefix}/`)) return undefined;
    rel = rel.slice(prefix.length + 1);
  }
  if (isAbsolute(rel)) return undefined;
  const clean = normalize(rel);
  if (clean === '..' || clean.startsWith(`..${sep}`)) return undefined;
  return join(root, clean);
}

const PARALLEL = 32;
const SHOWN = 5;

/** Returns a failure detail (how many are missing, the first few), or undefined when every referenced file exists. */
export async function missingFiles(paths: readonly string[], root: string, spec: FilesExist): Promise<string | undefined> {
  const missing: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const path = paths[next++]!;
      const at = within(root, path, spec.strip_prefix);
      const found = at !== undefined && (await lstat(at).then((s) => s.isFile() || s.isSymbolicLink(), () => false));
      if (!found) missing.push(path);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, paths.length) }, worker));
  if (missing.length === 0) return undefined;
  missing.sort();
  const more = missing.length > SHOWN ? `, ... (${missing.length - SHOWN} more)` : '';
  return `${missing.length} of ${paths.length} referenced files are missing from files source "${spec.in}": ${missing.slice(0, SHOWN).join(', ')}${more}`;
}
