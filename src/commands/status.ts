import { RunError, StaleError } from '../errors.js';
import { formatBytes } from '../report/terminal.js';
import { evaluateObjectives, humanSeconds } from '../status/objectives.js';
import { readPlanState, type BackupState, type StatusData, type TargetState } from '../status/read.js';
import { writeStatusPage } from '../status/html.js';
import { load, type Command } from './context.js';
import { allTargets } from './targets.js';


function lines(data: StatusData): string[] {
  const out = [data.summary];
  const newest = data.newest;
  out.push(`  newest good backup  ${newest ? `${newest.id}, ${humanSeconds(newest.age_seconds)} old, ${newest.copies.length} copies counted (${newest.copies.join(', ')}; ${data.rule})` : '(none meets the copy rule)'}`);
  out.push(`  last drill          ${data.drill ? `${data.drill.backup_id}: ${data.drill.ok ? 'passed' : 'FAILED'} ${humanSeconds(data.drill.age_seconds)} ago, recovery ${humanSeconds(data.drill.duration_seconds)}` : '(none recorded)'}`);
  for (const t of data.targets) out.push(`  target ${t.name.padEnd(12)} ${t.reachable ? `${t.backups} backup${t.backups === 1 ? '' : 's'}` : `UNREACHABLE: ${t.error}`}`);
  for (const o of data.objectives) out.push(`  ${o.met ? 'ok ' : 'NOT'} ${o.name.padEnd(14)} ${o.detail}`);
  const latest = data.backups[0];
  if (latest && latest.id !== newest?.id) out.push(`  note: the latest backup ${latest.id} (${formatBytes(latest.bytes)}) has ${latest.counted.length} counted copies: ${latest.policy_met ? 'met' : 'short of the copy rule'}`);
  return out;
}

function newestGood(backups: BackupState[], now: Date): StatusData['newest'] {
  const good = backups.find((b) => b.policy_met);
  return good ? { id: good.id, time: good.started_at, age_seconds: Math.round((now.getTime() - Date.parse(good.started_at)) / 1000), copies: good.counted } : null;
}

function lastDrill(backups: BackupState[], now: Date): StatusData['drill'] {
  const drilled = backups.filter((b) => b.drill).sort((a, b) => (a.drill!.at < b.drill!.at ? 1 : -1))[0];
  if (!drilled?.drill) return null;
  const { drill } = drilled;
  return { backup_id: drilled.id, at: drill.at, ok: drill.ok, duration_seconds: drill.duration_seconds, age_seconds: Math.round((now.getTime() - Date.parse(drill.at)) / 1000) };
}

/**
 * status: the watchdog. Reads what the targets hold (manifests, drill
 * records) and checks the plan's objectives; a missed one exits 10, so a
 * scheduled `status` notices a backup job that silently stopped running.
 */
export const status: Command = async (input, io) => {
  const loaded = await load(input, io);
  const now = new Date();
  const state = await readPlanState(loaded, allTargets(loaded, io.env), io.reporter, now);
  if (state.targets.every((t: TargetState) => !t.reachable)) {
    throw new RunError(`No target of the plan could be read: ${state.targets.map((t) => `${t.name} (${t.error})`).join('; ')}.`, { hint: 'Check that the stores are up and the credentials are set; status reads only the targets.' });
  }
  const newest = newestGood(state.backups, now);
  const drill = lastDrill(state.backups, now);
  const objectives = evaluateObjectives(loaded.plan.objectives, {
    newestAgeSeconds: newest?.age_seconds ?? null,
    anyBackup: state.backups.length > 0,
    drill: drill ? { ok: drill.ok, ageSeconds: drill.age_seconds, durationSeconds: drill.duration_seconds } : null,
  });
  const problems = objectives.filter((o) => !o.met).map((o) => o.detail);
  const unreachable = state.targets.filter((t) => !t.reachable).map((t) => t.name);
  const summary = `Plan ${loaded.plan.name}: ${problems.length === 0 ? 'objectives met' : 'objectives NOT met'}${unreachable.length > 0 ? ` (target${unreachable.length > 1 ? 's' : ''} ${unreachable.join(', ')} unreachable)` : ''}`;
  const data: StatusData = { plan: loaded.plan.name, checked_at: now.toISOString(), ...state, newest, drill, objectives, problems, summary };
  if (!input.json) io.reporter.output(lines(data).join('\n'));
  if (input.html) {
    // Error texts of unreadable targets may quote what they were given.
    await writeStatusPage(input.html, io.secrets.redactValue(data));
    io.reporter.info(`Wrote the status page ${input.html}`);
  }
  if (problems.length > 0) {
    io.partial?.(data);
    throw new StaleError(`${loaded.plan.name}: ${problems.join('; ')}.`, { hint: 'Run a backup (or a drill) now, and check why the scheduled one did not run or failed.' });
  }
  return data;
};
