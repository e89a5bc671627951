/**
 * Building one source's restored data, for restore and drill alike: decode
 * the verified artifact into the adapter's build place, then prove what was
 * built against the manifest (the engine opens it; schema version and counts
 * match what the backup recorded). Only data that passes reaches a health
 * check or a swap: a matching sha256 proves the bytes are the stored ones,
 * not that they are this backup's data.
 */
import { dirname, isAbsolute } from 'node:path';
import type { SourceEntry } from '../artifacts/manifest.js';
import { IntegrityError, reason } from '../errors.js';
import type { BuiltInfo } from '../sources/source.js';
import type { Plan } from '../plan/schema.js';
import { materialize } from './materialize.js';
import type { Prepared, Selected } from './prepare.js';
import { isNoSpace, noRoom, roomNeeded } from './room.js';

/** How the built data differs from what the manifest recorded; empty when it matches. */
export function builtDifferences(entry: SourceEntry, found: BuiltInfo): string[] {
  if (found.unsound !== null) return [found.unsound];
  const differences: string[] = [];
  if (found.schemaVersion !== undefined && found.schemaVersion !== entry.schema_version) {
    differences.push(`schema version ${found.schemaVersion ?? 'none'}, the manifest says ${entry.schema_version ?? 'none'}`);
  }
  for (const [key, recorded] of Object.entries(entry.counts)) {
    const got = found.counts[key];
    if (got !== undefined && got !== recorded) differences.push(`${got} ${key}, the manifest says ${recorded}`);
  }
  return differences;
}

/**
 * Builds `item` at `into` and checks it. On a mismatch the built data is
 * discarded and an IntegrityError says what differs; the live data was never
 * touched.
 */
export async function buildChecked(plan: Plan, prepared: Prepared, item: Selected, into: string, purpose: 'restore' | 'drill'): Promise<void> {
  const { config, adapter, entry } = item;
  await materialize(plan, prepared, item, into).catch((error: unknown) => {
    if (!isNoSpace(error)) throw error;
    const place = isAbsolute(into) ? dirname(into) : `${prepared.stagingDir} or the PostgreSQL server's data folder`;
    throw noRoom(`source "${config.name}"`, place, roomNeeded(entry), error, { staging: !isAbsolute(into) || into.startsWith(prepared.stagingDir) });
  });
  if (!adapter.inspectBuilt) return;
  let differences: string[];
  try {
    // A partial build holds the chosen paths only: it is held to what the snapshot says of those.
    const expected = item.choice ? { ...entry, counts: item.choice.counts } : entry;
    differences = builtDifferences(expected, await adapter.inspectBuilt(config, into, prepared.ctx, purpose));
  } catch (error) {
    await adapter.discard(into, config).catch(() => undefined);
    throw error;
  }
  if (differences.length === 0) return;
  await adapter.discard(into, config).catch((error: unknown) => prepared.ctx.reporter.warn(`Could not remove the refused build at ${into}: ${reason(error)}`));
  throw new IntegrityError(
    `The restored data of source "${config.name}" is not what backup ${prepared.manifest.backup_id} recorded: ${differences.join('; ')}. It was discarded; the live data was not touched.`,
    {
      hint: 'The artifact passed its checksum, so it was stored this way: altered on the target, or not made by restorable. Restore another backup (--backup ID) or another target\'s copy (--target NAME), and run `restorable verify`.',
    },
  );
}
