// The rows of issue #16, each restorable against the tool it wraps, in one
// interleaved run: per row, ROUNDS rounds of A then B (A B A B ...), every run
// timed by GNU time (wall, user, sys, max RSS of the largest process), then
// medians with min/max, the ratio A/B pair by pair, and the target. The load
// average is printed before each row and each run; a run started while the
// 1-minute load was above half the cores is marked `!` and the row warns.
// Usage: see bench/speed.sh (which makes the data and calls this).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { freezeDist } from './freeze-dist.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const WORK = join(ROOT, 'bench', '.work', 'speed');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ONLY = process.env.BENCH_ROWS ? process.env.BENCH_ROWS.split(/[ ,]+/) : undefined;
const CORES = cpus().length;
const [db, bigFiles, smallFiles] = process.argv.slice(2);
const { cli, sha } = freezeDist(ROOT, join(ROOT, 'bench', '.work'));
const NODE = process.execPath;

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const busy = () => loadavg()[0] > CORES / 2;
const sh = (script) => ['sh', '-c', script];

function plan(dir, sources) {
  mkdirSync(join(dir, 't'), { recursive: true });
  writeFileSync(
    join(dir, 'restorable.yml'),
    `version: 1\nname: bench\nsources: ${JSON.stringify(sources)}\ntargets: [{name: t, type: local, path: t}]\npolicy: {rule: {copies: 1, media: 1, offsite: 0}}\ncompression: {algorithm: zstd, level: 3}\n`,
  );
  return join(dir, 'restorable.yml');
}

function artifactOf(dir) {
  const base = join(dir, 't', 'bench');
  const id = readdirSync(base).filter((n) => /^\d{8}T/.test(n)).sort().at(-1);
  return join(base, id, readdirSync(join(base, id)).find((n) => n.includes('.tar')));
}

/** One run under GNU time: wall, user, sys seconds, max RSS MiB of the largest process. */
function timed(argv, env = {}) {
  const out = join(WORK, 'time.txt');
  const wasBusy = busy();
  const run = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', out, ...argv], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`bench: ${argv.join(' ')} failed (${run.status}): ${run.stderr.toString().slice(-2000)}`);
  const [wall, user, sys, kib] = readFileSync(out, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
  return { wall, cpu: user + sys, mib: kib / 1024, busy: wasBusy };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const stat = (xs, digits = 2) => `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`;

const rows = [];
function row(name, target, a, b) {
  if (ONLY && !ONLY.includes(name)) return;
  rows.push({ name, target, a, b });
}

// ---- SQLite: restorable backup, each `check`, against .backup + zstd + sha256 + re-read
if (db) {
  for (const check of ['quick', 'integrity', 'none']) {
    const dir = join(WORK, `sqlite-${check}`);
    const p = plan(dir, [{ name: 'db', type: 'sqlite', path: db, check }]);
    row(`sqlite-${check}`, check === 'integrity' ? null : 1.1, {
      label: `restorable backup, check: ${check}${check === 'quick' ? ' (default)' : ''}`,
      before: () => rmSync(join(dir, 't', 'bench'), { recursive: true, force: true }),
      argv: [NODE, cli, 'backup', '--plan', p, '-q'],
    }, {
      label: 'sqlite3 .backup + zstd -3 -T2 + sha256 + re-read',
      before: () => {
        for (const f of ['y.sqlite', 'y.sqlite.zst']) rmSync(join(WORK, f), { force: true });
      },
      argv: sh(`sqlite3 '${db}' ".backup '${WORK}/y.sqlite'" && zstd -q -3 -T2 '${WORK}/y.sqlite' -o '${WORK}/y.sqlite.zst' && openssl dgst -sha256 '${WORK}/y.sqlite.zst' >/dev/null && sync '${WORK}/y.sqlite.zst' && openssl dgst -sha256 '${WORK}/y.sqlite.zst' >/dev/null`),
    });
  }
  row('sqlite-pragmas', null, { label: 'sqlite3 pragma integrity_check', argv: ['sqlite3', db, 'pragma integrity_check'] }, { label: 'sqlite3 pragma quick_check', argv: ['sqlite3', db, 'pragma quick_check'] });
}

// ---- files: drill (restore into scratch) of a tar backup, against zstd -dc | tar -x
if (bigFiles) {
  const dir = join(WORK, 'files-restore');
  const p = plan(dir, [{ name: 'lib', type: 'files', path: bigFiles, storage: 'tar' }]); // the tar path; the repository's rows are bench/repository.sh
  const out = join(WORK, 'files-restore-out');
  row('files-restore', 1.2, {
    label: 'restorable drill (verify, extract, count, clean up)',
    setup: () => existsSync(join(dir, 't', 'bench')) || execFileSync(NODE, [cli, 'backup', '--plan', p, '-q']),
    argv: [NODE, cli, 'drill', '--plan', p, '-q'],
  }, {
    label: 'zstd -dc | tar -x',
    before: () => (rmSync(out, { recursive: true, force: true }), mkdirSync(out)),
    argv: () => sh(`zstd -dc '${artifactOf(dir)}' | tar -x -C '${out}'`),
  });
}

// ---- files: backup of many small files, against tar | zstd
if (smallFiles) {
  const dir = join(WORK, 'files-small');
  const p = plan(dir, [{ name: 'thumbs', type: 'files', path: smallFiles, storage: 'tar' }]);
  row('files-small', 2, {
    label: 'restorable backup (tar, zstd -3)',
    before: () => rmSync(join(dir, 't', 'bench'), { recursive: true, force: true }),
    argv: [NODE, cli, 'backup', '--plan', p, '-q'],
  }, {
    label: 'tar -c | zstd -3 -T2',
    argv: sh(`tar -cf - -C '${smallFiles}' . | zstd -q -3 -T2 -o '${WORK}/small.tar.zst' -f`),
  });
}

// ---- start-up
const quickstart = join(ROOT, 'examples', 'quickstart', 'restorable.yml');
row('help', 2, { label: 'restorable --help', argv: [NODE, cli, '--help'] }, { label: 'node -e 0', argv: [NODE, '-e', '0'] });
row('validate', 2, { label: 'restorable validate (quickstart plan)', argv: [NODE, cli, 'validate', '--plan', quickstart] }, { label: 'node -e 0', argv: [NODE, '-e', '0'] });

mkdirSync(WORK, { recursive: true });
console.log(`# bench/speed.mjs ${new Date().toISOString()}: ${CORES} cores, ${cpus()[0]?.model ?? ''}; node ${process.version}; dist sha ${sha}; ${ROUNDS} rounds A B`);
console.log(`load before: ${load()}`);
const summary = [];
for (const r of rows) {
  r.a.setup?.();
  r.b.setup?.();
  const a = [];
  const b = [];
  const loads = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [side, into] of [[r.a, a], [r.b, b]]) {
      side.before?.();
      execFileSync('sync');
      loads.push(loadavg()[0]);
      into.push(timed(typeof side.argv === 'function' ? side.argv() : side.argv));
    }
  }
  const ratios = a.map((x, i) => x.wall / b[i].wall);
  const warn = [...a, ...b].some((x) => x.busy);
  console.log(`\n## ${r.name}  (load at the runs: ${Math.min(...loads).toFixed(2)}-${Math.max(...loads).toFixed(2)})${warn ? `  WARNING: busy machine (1-min load > ${CORES / 2}), distrust the times` : ''}`);
  for (const [side, xs] of [[r.a, a], [r.b, b]]) {
    console.log(`  ${side.label.padEnd(52)} wall s ${stat(xs.map((x) => x.wall))}  cpu s ${stat(xs.map((x) => x.cpu))}  peak MiB ${stat(xs.map((x) => x.mib), 0)}${xs.some((x) => x.busy) ? '  !' : ''}`);
  }
  const verdict = r.target === null ? '' : median(ratios) <= r.target ? `  target <= ${r.target}x: met` : `  target <= ${r.target}x: NOT met`;
  console.log(`  A/B wall ${stat(ratios)}${verdict}`);
  summary.push(`${r.name.padEnd(16)} A/B ${median(ratios).toFixed(2)}x${r.target === null ? '' : ` (target ${r.target}x)`}  A peak ${median(a.map((x) => x.mib)).toFixed(0)} MiB${warn ? '  busy' : ''}`);
}
console.log(`\nload after: ${load()}\n\n## summary\n${summary.join('\n')}`);
