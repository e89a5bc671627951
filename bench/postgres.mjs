// Runs the contenders of bench/postgres.sh (read its header first) against the
// databases given as arguments (PGHOST, PGPORT, PGUSER set by the script),
// prints a table per database and writes every number to
// bench/.work/pg-results-<time>.json.
// Usage: node bench/postgres.mjs BIN_DIR DB...
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freezeDist } from './freeze-dist.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORK = join(ROOT, 'bench', '.work');
const OUT = join(WORK, 'pg-out');
const { cli: CLI } = freezeDist(ROOT, WORK);
const MiB = 1024 * 1024;
const PAGE = Number(spawnSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).stdout?.trim()) || 4096;
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;
const CORES = availableParallelism();
const IDLE_WAIT = Number(process.env.BENCH_IDLE_WAIT ?? 120);
const [bin, ...dbs] = process.argv.slice(2);
if (!bin || dbs.length === 0) {
  console.error('usage: node bench/postgres.mjs BIN_DIR DB...');
  process.exit(2);
}

function treeRss(root) {
  const parent = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // ended meanwhile
    }
  }
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parent) if (tree.has(ppid) && !tree.has(pid)) (tree.add(pid), (grew = true));
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

function busySeconds() {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  return (user + nice + system + irq + softirq + steal) / CLK_TCK;
}

/** Runs argv; wall seconds, peak tree RSS (the server's own memory is not in the tree), share of the machine busy meanwhile. */
function measure(argv, env = process.env) {
  return new Promise((done, fail) => {
    const busyBefore = busySeconds();
    const started = performance.now();
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, treeRss(child.pid))), 50);
    const out = [];
    const err = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    child.on('error', fail);
    child.on('close', (code) => {
      clearInterval(timer);
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) return fail(new Error(`${argv.join(' ')} exited ${code}: ${Buffer.concat(err).toString().slice(-2000)}`));
      done({ seconds, treeMiB: peak / MiB, busy: (busySeconds() - busyBefore) / (seconds * CORES), stdout: Buffer.concat(out).toString() });
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function prepare() {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(join(OUT, 'target'), { recursive: true });
  spawnSync('sync');
  const deadline = Date.now() + IDLE_WAIT * 1000;
  for (;;) {
    const before = busySeconds();
    await sleep(1000);
    const busy = (busySeconds() - before) / CORES;
    if (busy < 0.15 || Date.now() > deadline) return busy;
  }
}

function plan(db, extra) {
  const path = join(WORK, `pg-plan-${extra.format ?? 'custom'}.yml`);
  const source = { name: 'pg', type: 'postgres', host: process.env.PGHOST, port: Number(process.env.PGPORT), user: process.env.PGUSER, database: db, ...extra };
  const text = [
    'version: 1',
    'name: bench',
    'app: {version: "1"}',
    `sources: [${JSON.stringify(source)}]`,
    `targets: [{name: t, type: local, path: ${JSON.stringify(join(OUT, 'target'))}}]`,
    'policy: {rule: {copies: 2, media: 1, offsite: 0}}',
    'compression: {algorithm: zstd, level: 3}',
  ].join('\n');
  writeFileSync(path, `${text}\n`);
  return path;
}

async function contenders(db) {
  const rows = [];
  const dump = join(bin, 'pg_dump');
  const add = async (name, argv, output) => {
    const idle = await prepare();
    const m = await measure(argv);
    const bytes = output();
    rows.push({ name, ...m, bytes, idleBefore: idle });
    console.error(`bench: ${db}: ${name}: ${m.seconds.toFixed(2)} s, ${m.treeMiB.toFixed(0)} MiB`);
  };
  await add('pg_dump -Fc (its own zlib)', [dump, '-Fc', '-f', join(OUT, 'out.dump'), db], () => statSync(join(OUT, 'out.dump')).size);
  await add('pg_dump -Fc -Z0 | zstd -3 -T2  (baseline)', ['bash', '-c', `set -o pipefail; "$0" -Fc -Z0 "$1" | zstd -q -3 -T2 -o "$2"`, dump, db, join(OUT, 'out.zst')], () => statSync(join(OUT, 'out.zst')).size);
  const artifact = () => {
    const dir = join(OUT, 'target', 'bench');
    const id = readdirSync(dir)[0];
    return readdirSync(join(dir, id)).filter((f) => f.startsWith('pg.')).reduce((s, f) => s + statSync(join(dir, id, f)).size, 0);
  };
  await add('restorable (custom)', [process.execPath, CLI, 'backup', '--plan', plan(db, { bin_dir: bin }), '--json', '--staging', WORK], artifact);
  await add('restorable (directory, jobs 2)', [process.execPath, CLI, 'backup', '--plan', plan(db, { bin_dir: bin, format: 'directory', jobs: 2 }), '--json', '--staging', WORK], artifact);
  return rows;
}

const results = [];
for (const db of dbs) {
  const size = Number(spawnSync(join(bin, 'psql'), ['-X', '-Atc', `select pg_database_size('${db}')`, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const rows = await contenders(db);
  const base = rows.find((r) => r.name.includes('baseline')).seconds;
  console.log(`\n## ${db}: ${(size / MiB).toFixed(0)} MiB on disk\n`);
  console.log(`${'contender'.padEnd(44)} ${'s'.padStart(6)} ${'x base'.padStart(7)} ${'tree MiB'.padStart(9)} ${'out bytes'.padStart(11)} ${'busy'.padStart(5)}`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(44)} ${r.seconds.toFixed(2).padStart(6)} ${`${(r.seconds / base).toFixed(2)}x`.padStart(7)} ${r.treeMiB.toFixed(0).padStart(9)} ${String(r.bytes).padStart(11)} ${`${Math.round(r.busy * 100)}%`.padStart(5)}`);
  }
  results.push({ db, size, rows: rows.map(({ stdout, ...r }) => r) });
}
if (existsSync(WORK)) writeFileSync(join(WORK, `pg-results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ bin, results }, null, 2));
