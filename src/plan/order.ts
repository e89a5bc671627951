/**
 * The order sources are snapshot in: databases first, then files, so that a
 * file snapshot never references rows the database snapshot lacks (an upload
 * row written after the database snapshot points at a file that is merely
 * extra, never missing). `after:` overrides the default for a source.
 */
import { SOURCE_KINDS, type SourceConfig } from '../sources/configs.js';

export function dependencies(source: SourceConfig, all: readonly SourceConfig[]): string[] {
  if (source.after) return source.after;
  if (SOURCE_KINDS[source.type] !== 'files') return [];
  return all.filter((s) => SOURCE_KINDS[s.type] === 'database').map((s) => s.name);
}

/** Sources in snapshot order, stable in plan order; throws on a cycle, naming it. */
export function snapshotOrder(sources: readonly SourceConfig[]): SourceConfig[] {
  const done = new Set<string>();
  const order: SourceConfig[] = [];
  while (order.length < sources.length) {
    const next = sources.find((s) => !done.has(s.name) && dependencies(s, sources).every((d) => done.has(d) || !sources.some((x) => x.name === d)));
    if (!next) {
      const stuck = sources.filter((s) => !done.has(s.name)).map((s) => s.name);
      throw new Error(`the sources ${stuck.join(', ')} wait for each other (after:)`);
    }
    done.add(next.name);
    order.push(next);
  }
  return order;
}
