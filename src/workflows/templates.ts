/**
 * GitHub workflow files, as data then YAML. `restorable workflow` writes them
 * for one plan; the build script writes the generic templates in workflows/
 * from the same functions, so the two never drift.
 *
 * Every workflow of a plan shares one concurrency group, so a backup, a drill
 * and a restore of the same plan never run at once (a queued run waits; note
 * that GitHub keeps only the newest pending run per group). Permissions are
 * the least each job needs: reading the repository, plus `actions: write`
 * only when a target is stored by GitHub (artifacts or cache), whose pruning
 * goes through the REST API with the job's token.
 */
import { Document } from 'yaml';
import type { PlanFacts } from './facts.js';

export const DEFAULT_USES = 'restorable/restorable@v1';
/** The plan from the repository; the job token is not left in .git/config for hooks and health checks to read. */
const CHECKOUT = { uses: 'actions/checkout@v5', with: { 'persist-credentials': false } };
/** The first major that runs on Node 24. */
const UPLOAD_ARTIFACT = 'actions/upload-artifact@v6';
export const DEFAULT_SCHEDULE = { backup: '0 2 * * *', drill: '0 4 * * 0', watch: '30 */6 * * *' } as const;

export interface WorkflowOptions {
  /** The plan's path from the repository root, with forward slashes. */
  planPath: string;
  /** The Action to use, e.g. restorable/restorable@v1. */
  uses: string;
  runsOn: string[];
  /** The header's second line: how the file came to be. */
  note?: string;
}

export interface WorkflowFile {
  file: string;
  about: string;
  content: string;
}

type Json = Record<string, unknown>;

function yamlOf(header: string, body: Json): string {
  const doc = new Document(body);
  doc.commentBefore = header
    .split('\n')
    .map((line) => ` ${line}`)
    .join('\n');
  return doc.toString({ lineWidth: 0 });
}

function permissions(facts: PlanFacts): Json {
  return facts.githubStorage ? { contents: 'read', actions: 'write' } : { contents: 'read' };
}

function concurrency(key: string): Json {
  return { group: `restorable-${key}`, 'cancel-in-progress': false };
}

function runsOn(options: WorkflowOptions): string | string[] {
  return options.runsOn.length === 1 ? options.runsOn[0]! : options.runsOn;
}

/** The environment the Action needs: each `${VAR}` from a secret, the app version variable, the job token for GitHub storage. */
function environment(facts: PlanFacts, command: string): Json {
  const env: Json = {};
  for (const name of facts.secrets) env[name] = `\${{ secrets.${name} }}`;
  for (const name of facts.variables) env[name] ??= `\${{ vars.${name} }}`;
  if (facts.encrypted && (command === 'restore' || command === 'drill')) env.RESTORABLE_AGE_IDENTITY ??= '${{ secrets.RESTORABLE_AGE_IDENTITY }}';
  if (facts.signed && command === 'backup') env.RESTORABLE_SIGNING_KEY ??= '${{ secrets.RESTORABLE_SIGNING_KEY }}';
  if (facts.githubStorage) env.GITHUB_TOKEN ??= '${{ github.token }}';
  return env;
}

function actionStep(facts: PlanFacts, options: WorkflowOptions, command: string, extra: Json = {}): Json {
  const env = environment(facts, command);
  return {
    name: `restorable ${command}`,
    id: 'restorable',
    uses: options.uses,
    with: { command, plan: options.planPath, ...extra },
    ...(Object.keys(env).length > 0 ? { env } : {}),
  };
}

function header(facts: PlanFacts, options: WorkflowOptions, what: string): string {
  return [
    `${what} for the restorable plan "${facts.name}" (${options.planPath}).`,
    options.note ?? 'Written by `npx restorable workflow`; run it again after changing the plan\'s schedule or secrets.',
  ].join('\n');
}

export function backupWorkflow(facts: PlanFacts, options: WorkflowOptions): WorkflowFile {
  const cron = facts.schedule.backup ?? DEFAULT_SCHEDULE.backup;
  return {
    file: `restorable-${facts.name}-backup.yml`,
    about: `backup on "${cron}"${facts.schedule.backup ? ' (schedule.backup)' : ' (default; set schedule.backup in the plan)'} and on demand`,
    content: yamlOf(header(facts, options, 'Scheduled backup'), {
      name: `restorable: back up ${facts.name}`,
      on: { schedule: [{ cron }], workflow_dispatch: {} },
      permissions: permissions(facts),
      concurrency: concurrency(facts.name),
      jobs: {
        backup: {
          'runs-on': runsOn(options),
          'timeout-minutes': JOB_TIMEOUT_MINUTES.backup,
          steps: [CHECKOUT, actionStep(facts, options, 'backup')],
        },
      },
    }),
  };
}

/**
 * A second guard beside restorable's own timeouts: a tool that hangs must not
 * hold the plan's concurrency group (and a self-hosted runner) for GitHub's
 * default of six hours, or five days on a self-hosted runner.
 */
export const JOB_TIMEOUT_MINUTES = { backup: 360, drill: 120, restore: 120, watch: 30 } as const;

export function drillWorkflow(facts: PlanFacts, options: WorkflowOptions): WorkflowFile {
  const cron = facts.schedule.drill ?? DEFAULT_SCHEDULE.drill;
  return {
    file: `restorable-${facts.name}-drill.yml`,
    about: `drill (restore into a scratch place, run the health checks) on "${cron}"${facts.schedule.drill ? ' (schedule.drill)' : ' (default: weekly)'} and on demand`,
    content: yamlOf(header(facts, options, 'Weekly restore drill (live data is never touched)'), {
      name: `restorable: drill ${facts.name}`,
      on: {
        schedule: [{ cron }],
        workflow_dispatch: {
          inputs: {
            backup: { description: 'Backup id to drill, or latest', required: false, default: 'latest', type: 'string' },
            target: { description: 'Drill the copy on this target only; empty tries each', required: false, default: '', type: 'string' },
          },
        },
      },
      permissions: permissions(facts),
      concurrency: concurrency(facts.name),
      jobs: {
        drill: {
          'runs-on': runsOn(options),
          'timeout-minutes': JOB_TIMEOUT_MINUTES.drill,
          steps: [CHECKOUT, actionStep(facts, options, 'drill', { backup: "${{ inputs.backup || 'latest' }}", target: "${{ inputs.target || '' }}" })],
        },
      },
    }),
  };
}

export function restoreWorkflow(facts: PlanFacts, options: WorkflowOptions): WorkflowFile {
  const phrase = `restore ${facts.name}`;
  return {
    file: `restorable-${facts.name}-restore.yml`,
    about: `restore on demand (workflow_dispatch), after typing "${phrase}" to confirm`,
    content: yamlOf(header(facts, options, 'Restore on demand: replaces live data, keeping a restore point, with health checks and rollback'), {
      name: `restorable: restore ${facts.name}`,
      on: {
        workflow_dispatch: {
          inputs: {
            backup: { description: 'Backup id to restore, or latest', required: true, default: 'latest', type: 'string' },
            source: { description: 'Only these sources (comma-separated); empty restores all', required: false, default: '', type: 'string' },
            'allow-version-mismatch': { description: 'Restore over another app or schema version', required: false, default: false, type: 'boolean' },
            target: { description: 'Restore from this target only; empty tries each', required: false, default: '', type: 'string' },
            to: { description: 'A PostgreSQL source goes to this database instead (postgres://user@host/db); empty restores in place', required: false, default: '', type: 'string' },
            ...(facts.repositorySources.length > 0
              ? { path: { description: `Only this path of ${facts.repositorySources.join(' or ')} (a glob, e.g. upload/user1/2024/**; pick the source above when there are several); empty restores whole sources`, required: false, default: '', type: 'string' } }
              : {}),
            confirm: { description: `Type "${phrase}" to confirm: this replaces live data`, required: true, type: 'string' },
          },
        },
      },
      permissions: permissions(facts),
      concurrency: concurrency(facts.name),
      jobs: {
        restore: {
          'runs-on': runsOn(options),
          'timeout-minutes': JOB_TIMEOUT_MINUTES.restore,
          // Required reviewers on this environment (Settings > Environments) are how Actions gates a dangerous run;
          // the typed confirmation below is the second guard. GitHub creates it, unprotected, on first use.
          environment: `restorable-${facts.name}-restore`,
          steps: [
            {
              name: 'Check the confirmation',
              shell: 'bash',
              // The input reaches the script through the environment, never spliced into it.
              env: { CONFIRM: '${{ inputs.confirm }}', EXPECTED: phrase },
              run: 'if [ "$CONFIRM" != "$EXPECTED" ]; then\n  echo "::error::Type \\"$EXPECTED\\" in the confirm input to restore. Nothing was touched."\n  exit 1\nfi\n',
            },
            CHECKOUT,
            actionStep(facts, options, 'restore', {
              backup: '${{ inputs.backup }}',
              source: '${{ inputs.source }}',
              'allow-version-mismatch': '${{ inputs.allow-version-mismatch }}',
              target: '${{ inputs.target }}',
              to: '${{ inputs.to }}',
              ...(facts.repositorySources.length > 0 ? { path: '${{ inputs.path }}' } : {}),
            }),
          ],
        },
      },
    }),
  };
}

/**
 * The watchdog: `status` on its own schedule, reading only the targets, so a
 * backup workflow that never ran (GitHub delays, drops and after 60 idle days
 * disables schedules) fails this one (exit 10) and sends the plan's `stale`
 * notifications. It only reads, so it has its own concurrency group and never
 * waits behind a long backup.
 */
export function watchWorkflow(facts: PlanFacts, options: WorkflowOptions): WorkflowFile {
  const cron = facts.schedule.watch ?? DEFAULT_SCHEDULE.watch;
  return {
    file: `restorable-${facts.name}-watch.yml`,
    about: `status (objectives: RPO, RTO, drill age) on "${cron}"${facts.schedule.watch ? ' (schedule.watch)' : ' (default: every 6 hours)'} and on demand; fails and notifies when one is missed`,
    content: yamlOf(header(facts, options, 'Watchdog: checks the backups on the targets against the objectives, independently of the backup schedule'), {
      name: `restorable: watch ${facts.name}`,
      on: { schedule: [{ cron }], workflow_dispatch: {} },
      permissions: permissions(facts),
      concurrency: concurrency(`${facts.name}-watch`),
      jobs: {
        watch: {
          'runs-on': runsOn(options),
          'timeout-minutes': JOB_TIMEOUT_MINUTES.watch,
          steps: [
            CHECKOUT,
            actionStep(facts, options, 'status', { html: 'restorable-status.html' }),
            // The page is most wanted when status fails.
            { name: 'status page', if: 'always()', uses: UPLOAD_ARTIFACT, with: { name: `restorable-${facts.name}-status`, path: 'restorable-status.html', 'if-no-files-found': 'ignore', 'retention-days': 14 } },
          ],
        },
      },
    }),
  };
}

/** The workflows `restorable workflow` writes for one plan. */
export function planWorkflows(facts: PlanFacts, options: WorkflowOptions): WorkflowFile[] {
  return [backupWorkflow(facts, options), drillWorkflow(facts, options), restoreWorkflow(facts, options), watchWorkflow(facts, options)];
}

/** Several plans (or hosts) fanned out over runners, each on its own runner and in its own concurrency group. */
export function matrixWorkflow(uses: string = DEFAULT_USES): WorkflowFile {
  return {
    file: 'restorable-matrix.yml',
    about: 'backup of several plans, each on its own runner (self-hosted too)',
    content: yamlOf(
      [
        'Backs up several plans, each on the runner that can read its data, in parallel.',
        'One entry per plan: name (the plan\'s name), plan (its path) and runner (runs-on labels).',
        'Runs of one plan never overlap (the concurrency group is per plan); one failing plan does not stop the others.',
        'Pass the secrets each plan reads (${VAR}) in env.',
      ].join('\n'),
      {
        name: 'restorable: back up every plan',
        on: { schedule: [{ cron: DEFAULT_SCHEDULE.backup }], workflow_dispatch: {} },
        permissions: { contents: 'read' },
        jobs: {
          backup: {
            strategy: {
              'fail-fast': false,
              matrix: {
                include: [
                  { name: 'photos', plan: 'photos/restorable.yml', runner: ['self-hosted', 'linux'] },
                  { name: 'wiki', plan: 'wiki/restorable.yml', runner: 'ubuntu-latest' },
                ],
              },
            },
            name: 'back up ${{ matrix.name }}',
            'runs-on': '${{ matrix.runner }}',
            'timeout-minutes': JOB_TIMEOUT_MINUTES.backup,
            concurrency: concurrency('${{ matrix.name }}'),
            steps: [CHECKOUT, { name: 'restorable backup', id: 'restorable', uses, with: { command: 'backup', plan: '${{ matrix.plan }}' } }],
          },
        },
      },
    ),
  };
}

/** The generic templates shipped in workflows/ (the build script writes them). */
export function staticTemplates(): WorkflowFile[] {
  const facts: PlanFacts = { name: 'app', schedule: {}, secrets: [], variables: [], githubStorage: false, encrypted: false, signed: false, localSources: [], repositorySources: [] };
  const options: WorkflowOptions = {
    planPath: 'restorable.yml',
    uses: DEFAULT_USES,
    runsOn: ['ubuntu-latest'],
    note: 'Template: copy it to .github/workflows and edit, or let `npx restorable workflow` write one for your plan (schedule, secrets, runner).',
  };
  return [...planWorkflows(facts, options), matrixWorkflow()].map((w) => ({ ...w, file: w.file.replace(/^restorable-(app-)?/, '') }));
}
