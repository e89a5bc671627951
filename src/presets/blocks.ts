/** Pieces of plan text that several presets write the same way: targets, a postgres source, hooks, the questions behind them. */
import { hostPathOf, serviceByImage, type AppFolder } from './compose.js';
import { argvOf, isNo, yamlValue, type Answers, type Question } from './preset.js';

/** The questions every preset asks: the plan's name, where backups go, whether to stop the app around restores. */
export function commonQuestions(name: string, appContainer: (app: AppFolder) => string): Question[] {
  return [
    { key: 'name', ask: 'Name of the plan (names the folder on every target)', suggest: () => name },
    { key: 'target', ask: 'Folder for the first backup copy (add more targets later)', suggest: () => `/var/backups/restorable` },
    { key: 'app-container', ask: 'The app container to stop during a restore ("no": no hooks)', suggest: (app) => appContainer(app) },
  ];
}

/** The postgres connection questions: run the tools through the database container, or connect directly. */
export function postgresQuestions(defaults: { container: (app: AppFolder) => string; user: (app: AppFolder) => string; database: (app: AppFolder) => string }, when?: (a: Answers) => boolean): Question[] {
  const only = when ? { when } : {};
  return [
    { key: 'db-exec', ask: 'Run pg_dump and pg_restore through ("no": connect from here)', suggest: (app) => `docker exec -i ${defaults.container(app)}`, ...only },
    { key: 'db-host', ask: 'Database host or socket folder, as seen where the tools run (empty: the local socket)', suggest: () => '', ...only },
    { key: 'db-port', ask: 'Database port (empty: 5432)', suggest: () => '', ...only },
    { key: 'db-user', ask: 'Database user', suggest: defaults.user, ...only },
    { key: 'db-name', ask: 'Database name', suggest: defaults.database, ...only },
  ];
}

export function targetBlock(a: Answers): string {
  return `targets:
  # One copy to start with. A backup is only safe with more: add a second disk and an offsite
  # target (s3, sftp; see the README, "Targets"), then set policy.rule to 3-2-1.
  - {name: local, type: local, path: ${yamlValue(a.target!)}}
policy:
  rule: {copies: 1, media: 1, offsite: 0}   # TODO: 3-2-1 once the targets above are added
retention: {keep_daily: 7, keep_weekly: 4, keep_monthly: 6}
`;
}

/** A `type: postgres` source from the answers; `extra` lines go under it (indented by the caller). */
export function postgresSource(a: Answers, name: string, extra: string): string {
  const exec = isNo(a['db-exec']) ? [] : argvOf(a['db-exec']!);
  const lines = [`  - name: ${name}`, '    type: postgres'];
  if (exec.length > 0) {
    lines.push(
      '    # pg_dump, pg_restore and psql run inside the database container, so the client matches the',
      '    # server (and its extensions) and no port needs exposing. The official postgres image trusts its',
      '    # local socket; with a password, add -e PGPASSWORD before the container name and export PGPASSWORD.',
      `    exec: ${yamlValue(exec)}`,
    );
  } else lines.push('    # The password comes from PGPASSWORD in the environment, never from this file.');
  if (a['db-host']) lines.push(`    host: ${yamlValue(a['db-host'])}`);
  if (a['db-port']) lines.push(`    port: ${Number(a['db-port'])}`);
  lines.push(`    user: ${yamlValue(a['db-user']!)}`, `    database: ${yamlValue(a['db-name']!)}`);
  return `${lines.join('\n')}\n${extra}`;
}

/** Stop and start hooks around a restore, or a comment saying there are none. */
export function restoreHooks(a: Answers, why: string): string {
  if (isNo(a['app-container'])) return '# hooks: none (init --app-container no). Stop the app around restores yourself.\n';
  const c = a['app-container']!;
  return `hooks:
  # ${why}
  pre_restore: [{command: ${yamlValue(['docker', 'stop', c])}}]
  post_restore: [{command: ${yamlValue(['docker', 'start', c])}}]
`;
}

/** The container of the first service whose image matches, or a fallback name. */
export function containerOf(pattern: RegExp, fallback: string): (app: AppFolder) => string {
  return (app) => serviceByImage(app, pattern)?.container ?? fallback;
}

/** The host folder mounted at `target` in the first service whose image matches, else `fallback` (relative to the app folder). */
export function mountedAt(pattern: RegExp, target: string, fallback: string): (app: AppFolder) => string {
  return (app) => hostPathOf(serviceByImage(app, pattern), target) ?? `${app.dir}/${fallback}`;
}

export function header(title: string, preset: string, docs: readonly string[], notes: string[]): string {
  return [
    `# restorable plan for ${title}, written by \`restorable init --preset ${preset}\`.`,
    '# It is an ordinary plan and yours now: edit it freely. restorable reads only this file.',
    `# ${title}'s own backup documentation:`,
    ...docs.map((d) => `#   ${d}`),
    ...notes.map((n) => `# ${n}`),
    'version: 1',
  ].join('\n');
}
