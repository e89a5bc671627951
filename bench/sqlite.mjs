// Runs the contenders of bench/sqlite.sh (read its header first) against the
// databases given as arguments, prints one table per database and a summary,
// and writes everything measured to bench/.work/results-<time>.json.
// Usage: node bench/sqlite.mjs DB...   (bench/sqlite.sh makes the databases)
// Env: BENCH_RUNS=N runs everything N times, round-robin, and keeps each
//      contender's fastest run (peak memory: the highest of the N);
//      BENCH_DIAG=0 skips the diagnostic rows;
//      BENCH_IDLE_WAIT=S waits up to S seconds (default 120) before each
//      contender for the machine to be idle; BENCH_RETRIES=N (default 2)
//      reruns a contender during which something else was busy anyway (the
//      'busy' column shows what else ran in the attempt that was kept).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freezeDist } from './freeze-dist.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORK = join(ROOT, 'bench', '.work');
const OUT = join(WORK, 'out');
const BUILT_CLI = join(ROOT, 'dist', 'cli.js');
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const DIAG = process.env.BENCH_DIAG !== '0';
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 1) || 1);
const TARGET_RATIO = 1.3;
const BUSY_WARN = 0.1; // another process using more than 10% of the machine during a contender
const IDLE_WAIT = Number(process.env.BENCH_IDLE_WAIT ?? 120);
const RETRIES = Math.max(0, Number(process.env.BENCH_RETRIES ?? 2) || 0);
const MiB = 1024 * 1024;
const getconf = (name, fallback) => Number(spawnSync('getconf', [name], { encoding: 'utf8' }).stdout?.trim()) || fallback;
const PAGE = getconf('PAGESIZE', 4096);
const CLK_TCK = getconf('CLK_TCK', 100);
const CORES = availableParallelism();

const dbs = process.argv.slice(2).map((p) => resolve(p));
if (dbs.length === 0) {
  console.error('usage: node bench/sqlite.mjs DB...');
  process.exit(2);
}

// ---------------------------------------------------------------- measuring

/** pid -> parent pid for every process, from /proc/<pid>/stat. */
function parents() {
  const map = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      map.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // the process ended meanwhile
    }
  }
  return map;
}

/** Summed RSS in bytes of `root` and all its descendants right now. */
function treeRss(root) {
  const ppid = parents();
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, parent] of ppid) {
      if (tree.has(parent) && !tree.has(pid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  let bytes = 0;
  for (const pid of tree) {
    try {
      bytes += Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE;
    } catch {
      // ended meanwhile
    }
  }
  return bytes;
}

/** Busy CPU seconds of the whole machine so far (all but idle and iowait), from /proc/stat. */
function busySeconds() {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  return (user + nice + system + irq + softirq + steal) / CLK_TCK;
}

/**
 * Runs argv to completion. Returns wall seconds, the sampled peak RSS of the
 * process tree, GNU time's max RSS of the largest single process, the tree's
 * CPU seconds, and `busy`: the share of all cores that something else used
 * meanwhile (machine busy time minus our tree's; kernel writeback counts as
 * something else). Throws on a non-zero exit.
 */
function measure(argv, { env = process.env } = {}) {
  const timeFile = join(WORK, 'time.txt');
  rmSync(timeFile, { force: true });
  const full = GNU_TIME ? [GNU_TIME, '-f', '%e %M %U %S', '-o', timeFile, '--', ...argv] : argv;
  return new Promise((done, fail) => {
    const busyBefore = busySeconds();
    const started = performance.now();
    const child = spawn(full[0], full.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, treeRss(child.pid))), 50);
    const out = [];
    const err = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    child.on('error', fail);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const busy = busySeconds() - busyBefore;
      clearInterval(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      if (code !== 0) {
        fail(new Error(`${argv.join(' ')} exited with ${code}\n${Buffer.concat(err).toString('utf8').slice(-4000)}`));
        return;
      }
      const m = { seconds, treeMiB: peak / MiB, procMiB: null, cpu: null, busy: null, stdout };
      if (GNU_TIME) {
        const [, kib, user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
        m.procMiB = kib / 1024;
        m.cpu = user + sys;
        m.busy = Math.max(0, (busy - m.cpu) / (seconds * CORES));
      }
      done(m);
    });
  });
}

/** Steps run one after the other, as one contender: times and CPU add up, memory is the highest. */
function sequence(...parts) {
  const seconds = parts.reduce((s, p) => s + p.seconds, 0);
  const known = (k) => parts.every((p) => p[k] !== null);
  return {
    seconds,
    treeMiB: Math.max(...parts.map((p) => p.treeMiB)),
    procMiB: known('procMiB') ? Math.max(...parts.map((p) => p.procMiB)) : null,
    cpu: known('cpu') ? parts.reduce((s, p) => s + p.cpu, 0) : null,
    busy: known('busy') ? parts.reduce((s, p) => s + p.busy * p.seconds, 0) / seconds : null,
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Share of all cores busy over the next `ms` milliseconds. */
async function machineBusy(ms) {
  const before = busySeconds();
  await sleep(ms);
  return (busySeconds() - before) / ((ms / 1000) * CORES);
}

/**
 * Same starting point for every contender: no outputs, dirty pages written,
 * the database in the page cache, and (for up to BENCH_IDLE_WAIT seconds,
 * default 120) a machine that nothing else keeps busy.
 */
async function prepare(db) {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  spawnSync('sync', { stdio: 'inherit' });
  spawnSync('cat', [db], { stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + IDLE_WAIT * 1000;
  let busy = await machineBusy(500);
  if (busy > BUSY_WARN) {
    console.error(`bench: waiting for the machine to be idle (${Math.round(busy * 100)}% busy)...`);
    while (busy > BUSY_WARN && Date.now() < deadline) busy = await machineBusy(1000);
  }
}

const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RESTORABLE_')));

// ---------------------------------------------------------------- contenders
// Each returns rows { key, group, name, ...measure, bytes, note }; `key` is
// stable across runs so that repeated runs can be merged.

/** How many threads `zstd -T0` uses here (it counts physical cores). */
function zstdT0Threads() {
  const r = spawnSync('zstd', ['-vv', '-T0', '-c'], { input: '', encoding: 'utf8' });
  const m = /--threads=(\d+)/.exec(r.stderr ?? '');
  return m ? Number(m[1]) : null;
}

async function tools(db, zstdThreads) {
  const group = 'tools';
  const copy = join(OUT, 'copy.sqlite');
  await prepare(db);
  const backup = await measure(['sqlite3', db, `.backup '${copy}'`]);
  const zstd = await measure(['zstd', '-q', '-3', '-T0', copy, '-o', `${copy}.zst`]);
  const bytes = statSync(`${copy}.zst`).size;
  // What restorable's default does on top: integrity_check the copy (its page cache as warm as restorable's).
  const check = await measure(['sqlite3', copy, 'pragma integrity_check']);
  if (check.stdout.trim() !== 'ok') throw new Error(`integrity_check of the sqlite3 copy says: ${check.stdout}`);
  const rows = [
    { key: 'baseline', group, name: 'sqlite3 .backup + zstd -3 -T0  (baseline)', ...sequence(backup, zstd), bytes },
    { key: 'backup', group, name: '  sqlite3 .backup', ...backup, bytes: null, partOf: 'baseline' },
    { key: 'zstd', group, name: '  zstd -3 -T0', ...zstd, bytes, partOf: 'baseline', note: `${zstdThreads ?? '?'} threads` },
    { key: 'careful', group, name: 'sqlite3 .backup + integrity_check + zstd', ...sequence(backup, check, zstd), bytes },
    { key: 'check', group, name: '  sqlite3 pragma integrity_check', ...check, bytes: null, partOf: 'careful' },
  ];
  if (zstdThreads !== 2) {
    rmSync(`${copy}.zst`, { force: true });
    spawnSync('sync');
    const zstd2 = await measure(['zstd', '-q', '-3', '-T2', copy, '-o', `${copy}.zst`]);
    rows.push({ key: 'T2', group, name: 'sqlite3 .backup + zstd -3 -T2', ...sequence(backup, zstd2), bytes: statSync(`${copy}.zst`).size });
  }
  rmSync(OUT, { recursive: true, force: true });
  return rows;
}

const VARIANTS = [
  { id: 'integrity', check: 'integrity', compression: 'zstd', label: 'restorable (check: integrity)' },
  { id: 'none', check: 'none', compression: 'zstd', label: 'restorable (check: none)' },
  { id: 'raw', check: 'none', compression: 'none', label: 'restorable (check: none, compression: none)', diag: true },
  // Only on runtimes whose zlib has zstd: the in-process codec instead of the zstd tool.
  { id: 'zlib', check: 'none', compression: 'zstd', label: 'restorable (check: none, RESTORABLE_ZSTD=zlib)', diag: true, env: { RESTORABLE_ZSTD: 'zlib' }, needsZlibZstd: true },
];

/** The codec restorable says it will use, from `restorable plan --json` ("zstd level 3 via the zstd tool"). */
function codecOf(runtime, plan, env) {
  const r = spawnSync(runtime.bin, [CLI, 'plan', '--plan', plan, '--json'], { env, encoding: 'utf8' });
  const detail = r.status === 0 ? JSON.parse(r.stdout).steps.find((s) => s.kind === 'snapshot')?.detail ?? [] : [];
  const pack = detail.find((d) => d.startsWith('pack: '));
  return pack ? pack.slice('pack: '.length).split(',')[0] : '?';
}

function planFor(db, variant) {
  const file = join(WORK, `plan-${variant.id}.yml`);
  const compression = variant.compression === 'zstd' ? '{algorithm: zstd, level: 3}' : `{algorithm: ${variant.compression}}`;
  const lines = [
    '# written by bench/sqlite.mjs',
    'version: 1',
    'name: bench',
    'app: {version: 1.0.0}',
    'sources:',
    `  - {name: db, type: sqlite, path: ${JSON.stringify(db)}, check: ${variant.check}}`,
    'targets:',
    `  - {name: disk, type: local, path: ${JSON.stringify(join(OUT, 'target'))}}`,
    'policy: {rule: {copies: 2, media: 1, offsite: 0}}',
    `compression: ${compression}`,
    '',
  ];
  writeFileSync(file, lines.join('\n'));
  return file;
}

/** One restorable run with `variant`'s plan and environment. */
async function restorableRun(db, runtime, variant) {
  const plan = planFor(db, variant);
  const env = { ...cleanEnv, ...variant.env };
  const codec = codecOf(runtime, plan, env);
  await prepare(db);
  // restorable wants an existing target folder (a missing one may be an unmounted drive).
  mkdirSync(join(OUT, 'target'));
  mkdirSync(join(OUT, 'staging'));
  const m = await measure([runtime.bin, CLI, 'backup', '--plan', plan, '--json', '--staging', join(OUT, 'staging')], { env });
  rmSync(OUT, { recursive: true, force: true });
  const result = JSON.parse(m.stdout);
  const source = result.manifest.sources[0];
  const step = (id) => result.steps.find((s) => s.id === id).ms / 1000;
  const steps = { snapshot: step('snapshot:db'), verify: step('verify') };
  return {
    key: `${runtime.label}:${variant.id}`,
    group: runtime.label,
    name: variant.label,
    ...m,
    bytes: source.artifact.bytes,
    variant: variant.id,
    steps,
    codec,
    note: `snapshot step ${steps.snapshot.toFixed(2)}s, verify step ${steps.verify.toFixed(2)}s; ${source.method}; ${codec}`,
  };
}

/** bench/phases.mjs on `runtime`: restorable's SQLite calls, each timed. */
async function phasesRun(db, runtime) {
  await prepare(db);
  const m = await measure([runtime.bin, join(ROOT, 'bench', 'phases.mjs'), db, join(OUT, 'phases.sqlite')], { env: cleanEnv });
  rmSync(OUT, { recursive: true, force: true });
  const { driver, ms } = JSON.parse(m.stdout);
  const s = (k) => (ms[k] / 1000).toFixed(2);
  return {
    key: `${runtime.label}:phases`,
    group: runtime.label,
    name: `phases (${driver})`,
    ...m,
    bytes: null,
    phases: ms,
    note: `backup ${s('backup')}s, journal_mode ${s('journal_mode')}s, integrity_check ${s('integrity')}s, quick_check ${s('quick')}s, count(*) ${s('count')}s`,
  };
}

/**
 * Runs a contender (a function returning its rows); when something else kept
 * the machine busy meanwhile, runs it again, up to BENCH_RETRIES times
 * (default 2), and keeps the quietest attempt.
 */
async function quietly(contender) {
  let best;
  for (let attempt = 0; attempt <= RETRIES; attempt += 1) {
    const rows = [].concat(await contender());
    const busy = Math.max(...rows.filter((r) => !r.partOf).map((r) => r.busy ?? 0));
    if (!best || busy < best.busy) best = { rows, busy };
    if (busy <= BUSY_WARN) break;
    if (attempt < RETRIES) console.error(`bench: ${rows[0].name.trim()}: something else used ${Math.round(busy * 100)}% of the machine meanwhile; again`);
  }
  return best.rows;
}

async function restorable(db, runtime) {
  const rows = [];
  for (const variant of VARIANTS) {
    if ((variant.diag && !DIAG) || (variant.needsZlibZstd && !runtime.zlibZstd)) continue;
    rows.push(...(await quietly(() => restorableRun(db, runtime, variant))));
  }
  if (DIAG) rows.push(...(await quietly(() => phasesRun(db, runtime))));
  return rows;
}

/**
 * Per key, the fastest run (a step of a sequence: the run in which the whole
 * sequence was fastest, so that the steps add up); peak memory is the highest
 * seen in any run.
 */
function merge(runs) {
  const fastest = (key) => runs.map((rows) => rows.find((r) => r.key === key)).reduce((a, b) => (b.seconds < a.seconds ? b : a));
  return runs[0].map((first) => {
    const all = runs.map((rows) => rows.find((r) => r.key === first.key));
    const best = first.partOf ? all[runs.indexOf(runs.find((rows) => rows.includes(fastest(first.partOf))))] : fastest(first.key);
    const { stdout, ...row } = best;
    return {
      ...row,
      treeMiB: Math.max(...all.map((r) => r.treeMiB)),
      procMiB: row.procMiB === null ? null : Math.max(...all.map((r) => r.procMiB)),
      allSeconds: all.map((r) => r.seconds),
    };
  });
}

// ---------------------------------------------------------------- output

function table(dbMiB, base, rows) {
  const head = ['contender', 's', 'MiB/s', 'tree MiB', 'proc MiB', 'out bytes', 'x base', 'busy', 'notes'];
  const body = rows.map((r) => [
    r.name,
    r.seconds.toFixed(2),
    r.partOf ? '' : (dbMiB / r.seconds).toFixed(0),
    r.treeMiB.toFixed(0),
    r.procMiB === null ? '' : r.procMiB.toFixed(0),
    r.bytes === null ? '' : String(r.bytes),
    r.partOf || r.phases ? '' : `${(r.seconds / base.seconds).toFixed(2)}x`,
    r.busy === null ? '' : `${Math.round(r.busy * 100)}%${r.busy > BUSY_WARN ? '!' : ''}`,
    r.note ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const fmt = (cells) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...body.map(fmt)].join('\n');
}

function nodeVersion(bin) {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

// ---------------------------------------------------------------- main

const { cli: CLI, sha: cliSha } = freezeDist(ROOT, WORK);

const hasZlibZstd = (bin) => spawnSync(bin, ['-e', "process.exit(typeof require('node:zlib').createZstdCompress === 'function' ? 0 : 1)"]).status === 0;
const runtimes = [{ bin: 'node', label: `node ${nodeVersion('node')}` }];
const node24 = join(ROOT, '.cache', 'node24', 'node_modules', '.bin', 'node');
const node24Version = existsSync(node24) ? nodeVersion(node24) : null;
if (node24Version) runtimes.push({ bin: node24, label: `node ${node24Version}` });
else console.log(`note: no Node 24 at ${relative(ROOT, node24)}: skipping that runtime (npm i node@24 --prefix .cache/node24 installs it)`);
for (const runtime of runtimes) runtime.zlibZstd = hasZlibZstd(runtime.bin);

const zstdThreads = zstdT0Threads();
const sqliteVersion = spawnSync('sqlite3', ['--version'], { encoding: 'utf8' }).stdout.split(' ')[0];
const busyAtStart = await machineBusy(2000);
console.log(`restorable SQLite benchmark, ${new Date().toISOString()}, ${RUNS === 1 ? 'one run' : `best of ${RUNS} runs`}`);
console.log(`machine: ${CORES} cores, ${Math.round(totalmem() / 2 ** 30)} GiB RAM; sqlite3 CLI ${sqliteVersion}; zstd -T0 = ${zstdThreads ?? '?'} threads${zstdThreads === 2 ? ' (= -T2, so no separate -T2 row)' : ''}`);
console.log(`runtimes: ${runtimes.map((r) => r.label).join(', ')}; dist/ sha256 ${cliSha}, built ${statSync(BUILT_CLI).mtime.toISOString()}`);
if (!GNU_TIME) console.log('note: GNU time is missing (apt-get install -y time): no proc MiB or busy column');
if (busyAtStart > BUSY_WARN) {
  console.log(`WARNING: the machine is not idle (${Math.round(busyAtStart * 100)}% of all cores busy before the start); expect noisy numbers`);
}

const results = [];
for (const db of dbs) {
  const dbBytes = statSync(db).size;
  const dbMiB = dbBytes / MiB;
  const runs = [];
  for (let run = 1; run <= RUNS; run += 1) {
    if (RUNS > 1) console.error(`bench: ${relative(ROOT, db)}: run ${run} of ${RUNS}`);
    const rows = await quietly(() => tools(db, zstdThreads));
    for (const runtime of runtimes) rows.push(...(await restorable(db, runtime)));
    runs.push(rows);
  }
  const rows = merge(runs);
  const base = rows.find((r) => r.key === 'baseline');
  console.log(`\n## ${relative(ROOT, db)}: ${dbBytes} bytes (${dbMiB.toFixed(0)} MiB)\n`);
  const groups = [...new Set(rows.map((r) => r.group))];
  console.log(groups.map((g) => `${g === 'tools' ? '' : `-- ${g}\n`}${table(dbMiB, base, rows.filter((r) => r.group === g))}`).join('\n\n'));
  results.push({ db: relative(ROOT, db), dbBytes, rows });
}

console.log(`\n## summary (target: restorable <= ${TARGET_RATIO}x the baseline; memory flat as the database grows)\n`);
for (const runtime of runtimes) {
  for (const id of ['integrity', 'none']) {
    const per = results.map((res) => {
      const base = res.rows.find((r) => r.key === 'baseline');
      const row = res.rows.find((r) => r.key === `${runtime.label}:${id}`);
      return { mib: res.dbBytes / MiB, ratio: row.seconds / base.seconds, tree: row.treeMiB };
    });
    const ratios = per.map((p) => `${p.mib.toFixed(0)} MiB ${p.ratio.toFixed(2)}x ${p.ratio <= TARGET_RATIO ? 'ok' : 'OVER'}`).join(', ');
    const mem = per.map((p) => p.tree.toFixed(0)).join(' -> ');
    console.log(`${runtime.label.padEnd(14)} check: ${id.padEnd(9)}  ${ratios};  peak tree RSS ${mem} MiB`);
  }
}
const busiest = Math.max(...results.flatMap((res) => res.rows.map((r) => r.busy ?? 0)));
if (busiest > BUSY_WARN) console.log(`\nWARNING: rows marked ! ran while something else used more than ${BUSY_WARN * 100}% of the machine (up to ${Math.round(busiest * 100)}%)`);
const file = join(WORK, `results-${new Date().toISOString().replaceAll(':', '')}.json`);
writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), runs: RUNS, cores: CORES, cliSha256: cliSha, runtimes, zstdThreads, sqliteVersion, busyAtStart, results }, null, 2)}\n`);
console.log(`\nall numbers: ${relative(ROOT, file)}`);
