import { listBackups, readDrill, readManifest } from '../artifacts/catalog.js';
import type { Manifest } from '../artifacts/manifest.js';
import { SignatureError } from '../artifacts/signature.js';
import type { Signing } from '../plan/schema.js';
import { counts } from '../plan/policy.js';
import type { Target } from '../targets/target.js';
import { reason } from '../errors.js';
import { formatBytes } from '../report/terminal.js';
import { loadRecovered, selectTargets, type Command } from './context.js';

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
}

/** How the copy on `target` stands, from the manifest it holds. */
async function copyState(target: Target, plan: string, id: string, now: Date, signing?: Signing): Promise<CopyState> {
  let entry: Manifest['copies'][number] | undefined;
  let note = '';
  try {
    entry = (await readManifest(target, plan, id, signing)).copies.find((c) => c.target === target.name);
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
        const row = rows.get(backup.id) ?? { id: backup.id, time: backup.time.toISOString(), bytes: 0, targets: [], copies: [], incomplete: [], drill: null };
        if (backup.complete) {
          row.targets.push(target.name);
          row.copies.push(await copyState(target, plan.name, backup.id, now, plan.signing));
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
  const backups = [...rows.values()].filter((r) => r.targets.length > 0).sort((a, b) => (a.id < b.id ? 1 : -1));
  if (!input.json) {
    const lines = [`${'BACKUP'.padEnd(40)} ${'AGE'.padStart(5)} ${'SIZE'.padStart(10)}  COPIES  DRILL   TARGETS`];
    for (const row of backups) {
      const drill = row.drill ? (row.drill.ok ? 'passed' : 'FAILED') : '-';
      lines.push(`${row.id.padEnd(40)} ${age(new Date(row.time), now).padStart(5)} ${formatBytes(row.bytes).padStart(10)}  ${String(row.copies.filter((c) => c.counted).length).padStart(6)}  ${drill.padEnd(6)}  ${row.copies.map((c) => (c.note ? `${c.target} (${c.note})` : c.target)).join(', ')}`);
    }
    if (backups.length === 0) lines.push('(no complete backups)');
    io.reporter.output(lines.join('\n'));
  }
  return { plan: plan.name, backups, unreachable };
};
