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

export function outputsFor(command: string, result: unknown, secrets: Secrets): Record<string, string> {
  if (result === undefined || result === null || typeof result !== 'object') return {};
  const data = result as Data;
  const out: Record<string, string> = {};
  const id = data.id || data.backupId || (command === 'list' ? data.backups?.[0]?.id : undefined);
  if (id) out['backup-id'] = id;
  if (data.durationMs !== undefined) out['duration-seconds'] = (data.durationMs / 1000).toFixed(2);
  if (data.manifest) {
    out.copies = String(data.manifest.copies.length);
    out.bytes = String(data.manifest.sources.reduce((sum, s) => sum + s.artifact.bytes, 0));
    out.manifest = JSON.stringify(data.manifest);
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
  out.result = JSON.stringify(result);
  return secrets.redactValue(out);
}
