import { listBackups, readManifest } from '../artifacts/catalog.js';
import { mismatch, readBack } from '../artifacts/check.js';
import { IntegrityError, NotFoundError, reason } from '../errors.js';
import { load, selectTargets, type Command } from './context.js';

interface CopyReport {
  target: string;
  backup: string;
  ok: boolean;
  problems: string[];
}

/** Re-reads stored copies and checks every size and sha256 against the manifest. */
export const verify: Command = async (input, io) => {
  const loaded = await load(input, io);
  const { plan } = loaded;
  const reports: CopyReport[] = [];
  for (const target of selectTargets(loaded, input.target, io.env)) {
    const complete = (await listBackups(target, plan.name)).filter((b) => b.complete);
    const chosen = input.backup === 'all' ? complete : input.backup === 'latest' ? complete.slice(0, 1) : complete.filter((b) => b.id === input.backup);
    for (const backup of chosen) {
      const problems: string[] = [];
      try {
        const manifest = await readManifest(target, plan.name, backup.id);
        for (const entry of manifest.sources) {
          const problem = await readBack(target, plan.name, backup.id, entry).then(
            (got) => mismatch(entry, got),
            (error: unknown) => reason(error),
          );
          if (problem) problems.push(`${entry.artifact.file}: ${problem}`);
        }
      } catch (error) {
        problems.push(reason(error));
      }
      reports.push({ target: target.name, backup: backup.id, ok: problems.length === 0, problems });
      const line = `${target.name}: ${backup.id}: ${problems.length === 0 ? 'ok' : `DAMAGED: ${problems.join('; ')}`}`;
      if (!input.json) io.reporter.output(line);
    }
  }
  if (reports.length === 0) throw new NotFoundError(`No backup matching "${input.backup}" was found to verify.`, { hint: 'Run `restorable list`.' });
  const bad = reports.filter((r) => !r.ok);
  if (bad.length > 0) {
    throw new IntegrityError(`${bad.length} of ${reports.length} cop${reports.length === 1 ? 'y is' : 'ies are'} damaged: ${bad.map((r) => `${r.backup} on ${r.target}`).join(', ')}.`, {
      hint: 'Restore from a copy that verified (--target NAME); the next backup writes fresh copies.',
    });
  }
  return { ok: true, copies: reports };
};
