import { listBackups, readManifest } from '../artifacts/catalog.js';
import { mismatch, readBack } from '../artifacts/check.js';
import { IntegrityError, NotFoundError, RunError, reason } from '../errors.js';
import { load, selectTargets, type Command } from './context.js';

interface CopyReport {
  target: string;
  backup: string;
  ok: boolean;
  /** Could not be read from here (unreachable, or a store readable only inside a job): not evidence of damage. */
  unreadable?: boolean;
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
      // Damage (a mismatch, a missing or broken file) outweighs a read that failed (RunError: unreachable).
      let damaged = false;
      let unreadable = false;
      const note = (error: unknown) => {
        if (error instanceof RunError) unreadable = true;
        else damaged = true;
        return reason(error);
      };
      try {
        const manifest = await readManifest(target, plan.name, backup.id);
        for (const entry of manifest.sources) {
          const problem = await readBack(target, plan.name, backup.id, entry).then((got) => {
            const found = mismatch(entry, got);
            if (found) damaged = true;
            return found;
          }, note);
          if (problem) problems.push(`${entry.artifact.file}: ${problem}`);
        }
      } catch (error) {
        problems.push(note(error));
      }
      unreadable &&= !damaged;
      reports.push({ target: target.name, backup: backup.id, ok: problems.length === 0, ...(unreadable ? { unreadable } : {}), problems });
      const line = `${target.name}: ${backup.id}: ${problems.length === 0 ? 'ok' : `${unreadable ? 'UNREADABLE' : 'DAMAGED'}: ${problems.join('; ')}`}`;
      if (!input.json) io.reporter.output(line);
    }
  }
  if (reports.length === 0) throw new NotFoundError(`No backup matching "${input.backup}" was found to verify.`, { hint: 'Run `restorable list`.' });
  const bad = reports.filter((r) => !r.ok && !r.unreadable);
  const unread = reports.filter((r) => r.unreadable);
  if (bad.length === 0 && unread.length > 0) {
    throw new RunError(`${unread.length} of ${reports.length} cop${reports.length === 1 ? 'y' : 'ies'} could not be read: ${unread.map((r) => `${r.backup} on ${r.target}`).join(', ')}; the others verified.`, {
      hint: 'See the reasons above; a GitHub cache can be read only inside a workflow job (--target NAME verifies one target).',
    });
  }
  if (bad.length > 0) {
    throw new IntegrityError(`${bad.length} of ${reports.length} cop${reports.length === 1 ? 'y is' : 'ies are'} damaged: ${bad.map((r) => `${r.backup} on ${r.target}`).join(', ')}.`, {
      hint: 'Restore from a copy that verified (--target NAME); the next backup writes fresh copies.',
    });
  }
  return { ok: true, copies: reports };
};
