/**
 * action.yml, checked here because @action-validator/cli's schema does not
 * know `runs.using: node24` yet: the runtime, the entry file, and every input
 * and output both read by the code and documented in the README.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ACTION_COMMANDS, readInputs } from '../../src/action/inputs.js';
import { outputsFor } from '../../src/action/outputs.js';
import { Secrets } from '../../src/report/secrets.js';
import { ROOT } from '../helpers/cli.js';

interface ActionYml {
  name: string;
  description: string;
  branding: { icon: string; color: string };
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionYml;
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const section = readme.includes('## GitHub Action') ? readme.slice(readme.indexOf('## GitHub Action')) : '';

describe('action.yml', () => {
  it('runs dist/index.js on node24, and the file exists', () => {
    expect(action.runs.using).toBe('node24');
    expect(action.runs.main).toBe('dist/index.js');
    expect(existsSync(join(ROOT, action.runs.main))).toBe(true);
  });

  it('has a name, a description that says what it does, and branding', () => {
    expect(action.name).toBe('restorable');
    expect(action.description).toMatch(/back up/i);
    expect(action.description).toMatch(/restore/i);
    expect(action.branding.icon).toBeTruthy();
    expect(action.branding.color).toBeTruthy();
  });

  it('declares exactly the inputs the issue lists (and the lock and verify options), each documented in the README', () => {
    const issue = ['allow-version-mismatch', 'backup', 'command', 'dry-run', 'plan', 'source'];
    expect(Object.keys(action.inputs).sort()).toEqual([...issue, 'deep', 'wait', 'break-lock', 'target', 'to', 'path', 'into', 'staging', 'html'].sort());
    expect(section.length).toBeGreaterThan(100);
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(input.description.length, name).toBeGreaterThan(10);
      expect(section, `README documents input ${name}`).toMatch(new RegExp(`\\| \`${name}\` \\|`));
    }
  });

  it('declares every output the code sets, each documented in the README', () => {
    const manifest = { backup_id: 'x', copies: [{}, {}], sources: [{ artifact: { bytes: 3 } }] };
    const set = outputsFor('backup', { id: 'x', durationMs: 1000, manifest, verdict: { met: true } }, new Secrets());
    expect(Object.keys(action.outputs).sort()).toEqual(Object.keys(set).sort());
    for (const name of ['backup-id', 'copies', 'policy-met', 'bytes', 'duration-seconds', 'manifest']) expect(action.outputs).toHaveProperty(name);
    for (const name of Object.keys(action.outputs)) expect(section, `README documents output ${name}`).toMatch(new RegExp(`\\| \`${name}\` \\|`));
  });

  it('maps every input onto the CLI options, with action.yml defaults', () => {
    const env = Object.fromEntries(Object.entries(action.inputs).map(([name, input]) => [`INPUT_${name.toUpperCase()}`, input.default ?? '']));
    const defaults = readInputs({ ...env, GITHUB_WORKSPACE: '/ws' });
    expect(defaults.command).toBe('backup');
    expect(defaults.input).toMatchObject({ planPath: '/ws/restorable.yml', backup: 'latest', sources: [], dryRun: false, allowVersionMismatch: false });
    const restore = readInputs({ INPUT_COMMAND: 'restore', INPUT_PLAN: 'ops/photos.yml', INPUT_BACKUP: 'ID', INPUT_SOURCE: 'db, uploads', 'INPUT_ALLOW-VERSION-MISMATCH': 'true', GITHUB_WORKSPACE: '/ws' });
    expect(restore.cliLine).toBe('npx restorable restore --plan ops/photos.yml --backup ID --source db --source uploads --allow-version-mismatch');
    expect(() => readInputs({ 'INPUT_DRY-RUN': 'yes' })).toThrow(/expected true or false/);
    // Only prune has a dry run: a restore asked for as one must not restore.
    expect(() => readInputs({ INPUT_COMMAND: 'restore', 'INPUT_DRY-RUN': 'true' })).toThrow(/restore has no dry run/);
    expect(readInputs({ INPUT_COMMAND: 'prune', 'INPUT_DRY-RUN': 'true' }).cliLine).toContain('--dry-run');
    const elsewhere = readInputs({ INPUT_COMMAND: 'drill', INPUT_TARGET: 'usb', INPUT_TO: 'postgres://app@db2/shop', INPUT_STAGING: '/scratch', RUNNER_TEMP: '/rt', GITHUB_WORKSPACE: '/ws' });
    expect(elsewhere.input).toMatchObject({ target: 'usb', to: 'postgres://app@db2/shop', stagingRoot: '/scratch' });
    expect(elsewhere.cliLine).toBe('npx restorable drill --plan restorable.yml --target usb --to postgres://app@db2/shop --staging /scratch');
    expect(readInputs({ RUNNER_TEMP: '/rt' }).input.stagingRoot).toBe('/rt');
    expect(() => readInputs({ INPUT_COMMAND: 'backup', INPUT_TO: 'postgres://x@y/z' })).toThrow(/does not take it/);
    // restore --path: globs one per line (a glob may hold commas), --into relative to the workspace.
    const partial = readInputs({ INPUT_COMMAND: 'restore', INPUT_SOURCE: 'uploads', INPUT_PATH: 'upload/{a,b}/2024/**\n  library/x.jpg \n', INPUT_INTO: 'restored', GITHUB_WORKSPACE: '/ws' });
    expect(partial.input).toMatchObject({ paths: ['upload/{a,b}/2024/**', 'library/x.jpg'], into: '/ws/restored', sources: ['uploads'] });
    expect(partial.cliLine).toBe("npx restorable restore --plan restorable.yml --source uploads --path 'upload/{a,b}/2024/**' --path 'library/x.jpg' --into restored");
    expect(() => readInputs({ INPUT_COMMAND: 'drill', INPUT_PATH: 'a/**' })).toThrow(/"path" is set, but drill does not take it/);
    expect(() => readInputs({ INPUT_COMMAND: 'restore', INPUT_INTO: 'out' })).toThrow(/"into" goes with "path"/);
    for (const command of ACTION_COMMANDS) expect(action.inputs.command!.description).toContain(command);
  });
});
