/**
 * The Action's outputs, derived from what a command returns (the data
 * `--json` prints). Outputs a command has nothing for are not set, so a
 * workflow can test `steps.x.outputs.backup-id != ''`. Values are redacted:
 * outputs land in later steps' logs and expressions.
 */
import type { Secrets } from '../report/secrets.js';

interface Data {
  id?: string;
  backupId?: string;
  durationMs?: number;
  manifest?: { backup_id: string; copies: unknown[]; sources: { artifact: { bytes: number } }[] };
  verdict?: { met: boolean };
  copies?: { backup: string; ok: boolean }[];
  backups?: { id: string }[];
}

export function outputsFor(command: string, result: unknown, secrets: Secrets, failure?: unknown): Record<string, string> {
  const data = (result !== null && typeof result === 'object' ? result : {}) as Data;
  const out: Record<string, string> = {};
  // A backup id is only set for a backup that exists: one that stopped before its manifest was committed has none.
  const id = command === 'backup' ? (data.manifest ? data.id : undefined) : data.id || data.backupId || (command === 'list' ? data.backups?.[0]?.id : undefined);
  if (id) out['backup-id'] = id;
  if (data.durationMs !== undefined) out['duration-seconds'] = (data.durationMs / 1000).toFixed(2);
  if (data.manifest) {
    out.copies = String(data.manifest.copies.length);
    out.bytes = String(data.manifest.sources.reduce((sum, s) => sum + s.artifact.bytes, 0));
    out.manifest = JSON.stringify(secrets.redactValue(data.manifest));
  }
  if (data.verdict) out['policy-met'] = String(data.verdict.met);
  if (command === 'backup') {
    // A backup that stopped before its manifest was committed has no copies, whatever was written.
    out.copies ??= '0';
    out['policy-met'] ??= 'false';
  }
  if (command === 'verify' && data.copies) {
    out.copies = String(data.copies.filter((c) => c.ok).length);
    const ids = new Set(data.copies.map((c) => c.backup));
    if (ids.size === 1) out['backup-id'] = [...ids][0]!;
  }
  // Redacted before it is serialised: JSON escaping would hide a secret from the redactor.
  // A failed run answers as `--json` does: what it got to, with the error described (an Error object serialises as {}).
  const answer = failure ? { ...data, ok: false, error: failure } : result;
  if (answer !== undefined) out.result = JSON.stringify(secrets.redactValue(answer));
  return secrets.redactValue(out);
}
