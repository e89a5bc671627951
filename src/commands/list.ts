import { listBackups, readDrill, readManifest } from '../artifacts/catalog.js';
import type { Manifest } from '../artifacts/manifest.js';
import { SignatureError } from '../artifacts/signature.js';
import type { Signing } from '../plan/schema.js';
import { counts } from '../plan/policy.js';
import type { Target } from '../targets/target.js';
import { reason } from '../errors.js';
import { formatBytes } from '../report/terminal.js';
import { type Command } from './context.js';
import { loadRecovered, selectTargets } from './targets.js';
import { compareBackupIds } from '../artifacts/backup-id.js';

function age(from: Date, now: Date): string {
  const hours = (now.getTime() - from.getTime()) / 3_600_000;
  if (hours < 1) return `${Math.max(0, Math.round(hours * 60))}m`;
  if (hours < 48) return `${Math.round(hours)}h`;
  return `${Math.round(hours / 24)}d`;
}

interface CopyState {
  target: string;
  /** The manifest on this target records this copy as re-read and matched. */
  verified: boolean;
  verified_at: string | null;
  expires_at: string | null;
  /** Counted by the copy rule now: verified, not a volatile tier, not expired. */
  counted: boolean;
  note: string;
}

interface Row {
  id: string;
  time: string;
  bytes: number;
  targets: string[];
  copies: CopyState[];
  incomplete: string[];
  drill: { ok: boolean; at: string } | null;
  /** From a manifest it holds: whether the backup met the copy rule when it was made, and what it is of. */
  policy_met: boolean | null;
  app_version: string | null;
  schema_versions: Record<string, string | null>;
}

/** How the copy on `target` stands, from the manifest it holds. */
async function copyState(target: Target, plan: string, id: string, now: Date, signing?: Signing, seen?: (manifest: Manifest) => void): Promise<CopyState> {
  let entry: Manifest['copies'][number] | undefined;
  let note = '';
  try {
    const manifest = await readManifest(target, plan, id, signing);
    seen?.(manifest);
    entry = manifest.copies.find((c) => c.target === target.name);
  } catch (error) {
    note = error instanceof SignatureError ? error.state : `manifest unreadable: ${reason(error)}`;
  }
  const copy = entry && { target: entry.target, medium: entry.medium, offsite: entry.offsite, immutable: entry.immutable, counted: entry.counted ?? true, expiresAt: entry.expires_at ?? null };
  const expired = !!entry?.expires_at && Date.parse(entry.expires_at) <= now.getTime();
  if (!note) note = !entry ? 'unverified' : expired ? 'expired' : entry.counted === false ? 'not counted' : '';
  return {
    target: target.name,
    verified: !!entry,
    verified_at: entry?.verified_at ?? null,
    expires_at: entry?.expires_at ?? null,
    counted: !!copy && counts(copy, now),
    note,
  };
}

/** Backups across targets: which targets hold each one, and whether it was drilled. */
export const list: Command = async (input, io) => {
  const loaded = await loadRecovered(input, io);
  const { plan } = loaded;
  const rows = new Map<string, Row>();
  const now = new Date();
  const unreachable: { target: string; error: string }[] = [];
  for (const target of selectTargets(loaded, input.target, io.env, io.reporter)) {
    try {
      for (const backup of await listBackups(target, plan.name)) {
        const row: Row = rows.get(backup.id) ?? { id: backup.id, time: backup.time.toISOString(), bytes: 0, targets: [], copies: [], incomplete: [], drill: null, policy_met: null, app_version: null, schema_versions: {} };
        if (backup.complete) {
          row.targets.push(target.name);
          const seen = (manifest: Manifest) => {
            row.policy_met ??= manifest.policy.met;
            row.app_version ??= manifest.app_version;
            for (const s of manifest.sources) row.schema_versions[s.name] ??= s.schema_version;
          };
          row.copies.push(await copyState(target, plan.name, backup.id, now, plan.signing, seen));
          row.bytes = Math.max(row.bytes, backup.bytes);
          const drill = await readDrill(target, plan.name, backup.id);
          if (drill && (!row.drill || drill.at > row.drill.at)) row.drill = { ok: drill.ok, at: drill.at };
        } else row.incomplete.push(target.name);
        rows.set(backup.id, row);
      }
    } catch (error) {
      unreachable.push({ target: target.name, error: reason(error) });
      io.reporter.warn(`Cannot list target "${target.name}": ${reason(error)}`);
    }
  }
  const backups = [...rows.values()].filter((r) => r.targets.length > 0).sort((a, b) => compareBackupIds(b.id, a.id));
  if (!input.json) {
    const schema = (row: Row) => Object.entries(row.schema_versions).filter(([, v]) => v !== null).map(([k, v]) => `${k} ${v}`).join(', ') || '-';
    const appWidth = Math.max(3, ...backups.map((r) => (r.app_version ?? '-').length));
    const schemaWidth = Math.max(6, ...backups.map((r) => schema(r).length));
    const lines = [`${'BACKUP'.padEnd(40)} ${'AGE'.padStart(5)} ${'SIZE'.padStart(10)}  RULE     ${'APP'.padEnd(appWidth)}  ${'SCHEMA'.padEnd(schemaWidth)}  COPIES  DRILL   TARGETS`];
    for (const row of backups) {
      const drill = row.drill ? (row.drill.ok ? 'passed' : 'FAILED') : '-';
      const rule = row.policy_met === null ? '-' : row.policy_met ? 'met' : 'NOT met';
      lines.push(`${row.id.padEnd(40)} ${age(new Date(row.time), now).padStart(5)} ${formatBytes(row.bytes).padStart(10)}  ${rule.padEnd(7)}  ${(row.app_version ?? '-').padEnd(appWidth)}  ${schema(row).padEnd(schemaWidth)}  ${String(row.copies.filter((c) => c.counted).length).padStart(6)}  ${drill.padEnd(6)}  ${row.copies.map((c) => (c.note ? `${c.target} (${c.note})` : c.target)).join(', ')}`);
    }
    if (backups.length === 0) lines.push('(no complete backups)');
    io.reporter.output(lines.join('\n'));
  }
  return { plan: plan.name, backups, unreachable };
};
