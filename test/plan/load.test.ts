import { describe, expect, it } from 'vitest';
import { PlanError, type PlanProblem } from '../../src/errors.js';
import { parsePlan } from '../../src/plan/load.js';
import { Secrets } from '../../src/report/secrets.js';

const FILE = '/plans/restorable.yml';
const good = `version: 1
name: photos
sources:
  - {name: db, type: sqlite, path: data/app.sqlite}
  - name: uploads
    type: files
    path: data/uploads
targets:
  - {name: nas, type: local, path: /mnt/nas}
  - {name: usb, type: local, path: /mnt/usb}
  - {name: cloud, type: local, path: /mnt/cloud, medium: cloud-drive, offsite: true}
`;

function problems(text: string, env: NodeJS.ProcessEnv = {}, zstd = true): PlanProblem[] {
  try {
    parsePlan(text, FILE, { env, capabilities: { zstd } });
  } catch (error) {
    if (error instanceof PlanError) return [...error.problems];
    throw error;
  }
  throw new Error('the plan was accepted');
}

describe('loading a plan', () => {
  it('accepts a good plan and applies the schema defaults', () => {
    const { plan, warnings } = parsePlan(good, FILE, { env: {}, capabilities: { zstd: true } });
    expect(plan.policy.rule).toBe('3-2-1');
    expect(plan.compression.algorithm).toBe('zstd');
    expect(plan.sources[0]).toMatchObject({ type: 'sqlite', check: 'quick', schema_version: { pragma: 'user_version' } });
    expect(warnings).toEqual([]);
  });

  it('a files source is a repository unless it says tar, or the plan has a write-once target (then a tar)', () => {
    const storageOf = (text: string) => parsePlan(text, FILE, { env: {}, capabilities: { zstd: true } }).plan.sources.map((s) => (s.type === 'files' ? s.storage : s.type));
    expect(storageOf(good)).toEqual(['sqlite', 'repository']);
    expect(storageOf(good.replace('    path: data/uploads\n', '    path: data/uploads\n    storage: tar\n'))).toEqual(['sqlite', 'tar']);
    const withArtifact = `${good}  - {name: gh, type: github-artifact}\n`;
    expect(storageOf(withArtifact)).toEqual(['sqlite', 'tar']);
    expect(storageOf(withArtifact.replace('type: github-artifact', 'type: github-cache'))).toEqual(['sqlite', 'tar']);
    const asked = problems(withArtifact.replace('    path: data/uploads\n', '    path: data/uploads\n    storage: repository\n'));
    expect(asked.map((p) => `${p.path}: ${p.message}`)).toEqual([expect.stringMatching(/^sources\[1\]\.storage: storage: repository cannot be written to gh/)]);
  });

  it('an alias to no anchor, or an alias bomb, is a plan error at the alias, not a crash', () => {
    const unresolved = problems(good.replace('name: photos', 'name: *nope'));
    expect(unresolved).toHaveLength(1);
    expect(unresolved[0]!.where).toBe(`${FILE}:2:7`);
    expect(unresolved[0]!.message).toMatch(/nope/);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
    expect(problems(`${good}x-bomb:\n${bomb.replace(/^/gm, '  ')}\n`)[0]!.message).toMatch(/alias|Excessive/i);
  });

  it('counts an S3 target with object_lock as the immutable copy of 3-2-1-1-0, as the run does', () => {
    const plan = `${good}  - {name: vault, type: s3, bucket: acme-backups, object_lock: {mode: COMPLIANCE, days: 30}}\npolicy: {rule: 3-2-1-1-0}\n`;
    expect(() => parsePlan(plan, FILE, { env: {}, capabilities: { zstd: true } })).not.toThrow();
    const unlocked = problems(plan.replace(', object_lock: {mode: COMPLIANCE, days: 30}', ''));
    expect(unlocked.map((p) => p.message).join('\n')).toMatch(/0 of 1 immutable/);
  });

  it('refuses a folder source that would take a database raw, unless it excludes the file and its -wal and -shm', () => {
    const nested = good.replace('path: data/uploads', 'path: data');
    const message = (text: string) => problems(text).map((p) => `${p.path}: ${p.message}`).join('\n');
    expect(message(nested)).toMatch(/sources\[1\]\.path: this folder contains the sqlite source "db"/);
    // Only the file itself: its -wal and -shm would still be copied.
    expect(message(nested.replace('path: data\n', 'path: data\n    exclude: ["app.sqlite"]\n'))).toMatch(/contains the sqlite source "db"/);
    const excluded = nested.replace('path: data\n', 'path: data\n    exclude: ["app.sqlite*"]\n');
    expect(() => parsePlan(excluded, FILE, { env: {}, capabilities: { zstd: true } })).not.toThrow();
  });

  it('two S3 targets on one bucket and prefix are one place, not two copies', () => {
    const twice = `${good}  - {name: b1, type: s3, bucket: acme, prefix: backups/}\n  - {name: b2, type: s3, bucket: acme, prefix: /backups}\n`;
    expect(problems(twice).map((p) => `${p.path}: ${p.message}`).join('\n')).toMatch(/targets\[4\]: this is the same place as targets\[3\]/);
    expect(() => parsePlan(twice.replace('prefix: /backups', 'prefix: other'), FILE, { env: {}, capabilities: { zstd: true } })).not.toThrow();
  });

  it('a custom copy rule missing a field names that field, not the string rules', () => {
    const found = problems(`${good}policy: {rule: {copies: 3, media: 2}}\n`);
    expect(found.map((p) => `${p.path}: ${p.message}`)).toEqual([expect.stringMatching(/^policy\.rule\.offsite: /)]);
  });

  it('two sources of one name: one problem, not a second one about their order', () => {
    const found = problems(good.replace('  - name: uploads', '  - name: db'));
    expect(found.map((p) => p.message)).toEqual([expect.stringMatching(/"db"/)]);
  });

  it('an unset passphrase variable is one problem, not also a passphrase that is too short', () => {
    const found = problems(`${good}encryption:\n  passphrase: \${BK_PASS}\n`);
    expect(found.map((p) => `${p.path}: ${p.message}`)).toEqual([expect.stringMatching(/^encryption\.passphrase: the environment variable BK_PASS is not set/)]);
  });

  it('an unquoted ${VAR} in a flow map: a few YAML errors and a hint to quote it, not dozens', () => {
    let caught: PlanError | undefined;
    try {
      parsePlan(good.replace('{name: nas, type: local, path: /mnt/nas}', '{name: nas, type: local, path: ${NAS}}'), FILE, { env: { NAS: '/mnt/nas' }, capabilities: { zstd: true } });
    } catch (error) {
      caught = error as PlanError;
    }
    expect(caught).toBeInstanceOf(PlanError);
    expect(caught!.problems.length).toBeLessThanOrEqual(6);
    expect(caught!.hint).toMatch(/must be quoted: \{path: "\$\{DIR\}"\}/);
  });

  it('names file, line, column and key path of a typo in a key', () => {
    const found = problems(good.replace('    path: data/uploads', '    pathh: data/uploads'));
    expect(found).toContainEqual(expect.objectContaining({ where: `${FILE}:7:5`, path: 'sources[1].pathh', message: 'unknown key "pathh": did you mean "path"?' }));
    expect(found).toContainEqual(expect.objectContaining({ path: 'sources[1].path', message: expect.stringContaining('expected string') }));
  });

  it('points at the value of a wrong type', () => {
    const found = problems(`${good}compression: {algorithm: zstd, level: fast}\n`);
    expect(found).toEqual([expect.objectContaining({ where: `${FILE}:12:39`, path: 'compression.level', message: expect.stringContaining('expected number') })]);
  });

  it('lists the known types for an unknown source type', () => {
    const found = problems(good.replace('type: sqlite', 'type: mysql'));
    expect(found).toEqual([expect.objectContaining({ path: 'sources[0].type', message: expect.stringMatching(/sqlite.*files/) })]);
  });

  it('reports YAML syntax errors with their position', () => {
    const found = problems('version: 1\nname: [unclosed\n');
    expect(found[0]?.where).toMatch(/^\/plans\/restorable\.yml:\d+:\d+$/);
  });

  it('rejects duplicate keys', () => {
    expect(problems(`${good}name: again\n`)[0]?.message).toMatch(/unique|duplicate/i);
  });

  it('interpolates ${VAR} in values, registers them as secrets, and never lets them change the structure', () => {
    const secrets = new Secrets();
    const text = good.replace('path: /mnt/usb', 'path: "${USB_PATH}"');
    const { plan } = parsePlan(text, FILE, { env: { USB_PATH: '/media/x: {evil: true}' }, secrets, capabilities: { zstd: true } });
    expect(plan.targets[1]).toMatchObject({ path: '/media/x: {evil: true}' });
    expect(secrets.redact('writing to /media/x: {evil: true}')).toBe('writing to ***');
  });

  it('uses ${VAR:-default} when unset and names an unset variable without a default', () => {
    const { plan } = parsePlan(good.replace('path: /mnt/usb', 'path: "${USB:-/mnt/default}"'), FILE, { env: {}, capabilities: { zstd: true } });
    expect(plan.targets[1]).toMatchObject({ path: '/mnt/default' });
    const found = problems(good.replace('path: /mnt/usb', 'path: "${USB_PATH}"'));
    expect(found).toEqual([expect.objectContaining({ where: `${FILE}:10:36`, path: 'targets[1].path', message: expect.stringContaining('USB_PATH is not set') })]);
  });

  it('refuses a password written into a URL', () => {
    const found = problems(`${good}app: {version_from: {command: [curl, "https://admin:hunter2@example.org/version"]}}\n`);
    expect(found).toContainEqual(expect.objectContaining({ path: 'app.version_from.command[1]', message: expect.stringContaining('password') }));
  });

  it('checks 3-2-1 against the declared targets', () => {
    const found = problems(good.replace(', medium: cloud-drive, offsite: true', ''));
    expect(found).toEqual([expect.objectContaining({ path: 'targets', message: expect.stringMatching(/1 of 2 kinds of media.*0 of 1 offsite/) })]);
  });

  it('accepts explicit counts instead of a named rule', () => {
    const { plan } = parsePlan(`${good.replace(', medium: cloud-drive, offsite: true', '')}policy: {rule: {copies: 2, media: 1, offsite: 0}}\n`, FILE, { env: {}, capabilities: { zstd: true } });
    expect(plan.policy.rule).toEqual({ copies: 2, media: 1, offsite: 0, immutable: 0 });
  });

  it('finds cross-field mistakes: unknown health-check source, same folder twice, target inside a source', () => {
    const found = problems(
      good.replace('path: /mnt/usb', 'path: /mnt/nas').replace('path: /mnt/cloud', 'path: data/uploads/backups') +
        'restore:\n  healthchecks:\n    - {name: rows, source: pg, sql: "select 1", expect: {equals: 1}}\n',
    );
    expect(found.map((p) => p.path)).toEqual(expect.arrayContaining(['targets[1].path', 'targets[2].path', 'restore.healthchecks[0].source']));
  });

  it('fails at validate time when zstd cannot run here', () => {
    expect(problems(good, {}, false)).toEqual([expect.objectContaining({ path: 'compression.algorithm', message: expect.stringContaining('apt-get install zstd') })]);
  });

  it('orders files after databases, and refuses a cycle', () => {
    const found = problems(good.replace('    path: data/uploads', '    path: data/uploads\n    after: [uploads]'));
    expect(found[0]?.message).toMatch(/after itself/);
  });
});
