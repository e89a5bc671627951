/**
 * Reading a repository backup without restoring it: `ls` lists a snapshot's
 * entries (under PATH), `dump` writes one file's bytes to stdout, `export`
 * writes the whole snapshot as a plain tar to stdout, `diff` says what
 * changed between two backups.
 */
import { UsageError } from '../errors.js';
import { openSnapshot } from '../restore/open-snapshot.js';
import { exportTar } from '../repository/tar-writer.js';
import { walkSnapshot } from '../repository/walk.js';
import { announce } from '../repository/reader.js';
import { diffSnapshots, type Change } from '../repository/diff.js';
import { pipeline } from 'node:stream/promises';
import type { LoadedPlan } from '../plan/load.js';
import { load, type Command, type CommandInput, type CommandIO } from './context.js';

const clean = (path: string | undefined) => (path ?? '').replace(/^\.?\/+/, '').replace(/\/+$/, '');

async function opened(input: CommandInput, io: CommandIO, backup = input.backup, loaded?: LoadedPlan) {
  return openSnapshot(loaded ?? (await load(input, io)), { backup, ...(input.sources[0] ? { source: input.sources[0] } : {}), ...(input.target ? { target: input.target } : {}) }, io);
}

function stdoutOf(io: CommandIO): NodeJS.WritableStream {
  if (!io.stdout) throw new UsageError('This command writes to standard output, which this shell does not offer.', { hint: 'Run it with the CLI.' });
  return io.stdout;
}

export const ls: Command = async (input, io) => {
  const { backupId, source, reader, snapshot } = await opened(input, io);
  const under = clean(input.path);
  const entries: { path: string; type: string; mode: string; size: number; mtime: string; target?: string }[] = [];
  for await (const { path, node } of walkSnapshot(reader, snapshot, under)) {
    const mtime = new Date(Number(BigInt(node.mtime_ns) / 1_000_000n)).toISOString();
    entries.push({ path, type: node.type, mode: node.mode.toString(8).padStart(4, '0'), size: node.type === 'file' ? node.size : 0, mtime, ...(node.type === 'symlink' ? { target: node.target } : {}) });
  }
  if (under && entries.length === 0) throw new UsageError(`Backup ${backupId} has no path ${under} in source "${source}".`, { hint: 'Run `restorable ls` without a path to see what it holds.' });
  if (!input.json) {
    const lines = entries.map((e) => `${e.type.padEnd(7)} ${e.mode} ${String(e.size).padStart(12)} ${e.mtime}  ${e.path}${e.target !== undefined ? ` -> ${e.target}` : ''}`);
    io.reporter.output(lines.join('\n'));
  }
  return { backup: backupId, source, entries };
};

export const dump: Command = async (input, io) => {
  const path = clean(input.path);
  if (!path) throw new UsageError('dump needs the path of a file in the snapshot: restorable dump --source NAME PATH > file');
  const out = stdoutOf(io);
  const { backupId, source, reader, snapshot } = await opened(input, io);
  for await (const { path: at, node } of walkSnapshot(reader, snapshot, path)) {
    if (at !== path) continue;
    if (node.type !== 'file') throw new UsageError(`${path} is a ${node.type === 'dir' ? 'folder' : 'symlink'} in backup ${backupId}.`, { hint: 'Use `restorable export` for a folder (a tar), or `restorable ls` to look.' });
    announce(reader, node.content);
    for (const id of node.content) {
      const bytes = await reader.blob(id);
      if (!out.write(bytes)) await new Promise((resolve) => out.once('drain', resolve));
    }
    return { backup: backupId, source, path, bytes: node.size };
  }
  throw new UsageError(`Backup ${backupId} has no file ${path} in source "${source}".`, { hint: 'Run `restorable ls` to see what it holds.' });
};

export const exportCommand: Command = async (input, io) => {
  const out = stdoutOf(io);
  if ((out as { isTTY?: boolean }).isTTY) throw new UsageError('export writes a tar to standard output: redirect it to a file.', { hint: 'restorable export --source NAME > snapshot.tar' });
  const { backupId, source, reader, snapshot } = await opened(input, io);
  await pipeline(exportTar(reader, snapshot), out, { end: false });
  return { backup: backupId, source, counts: snapshot.counts };
};

const MARK: Record<Change['kind'], string> = { added: '+', removed: '-', changed: 'M' };

export const diff: Command = async (input, io) => {
  const [first, second] = input.compare ?? ['', ''];
  const loaded = await load(input, io);
  const from = await opened(input, io, first, loaded);
  const to = await opened(input, io, second, loaded);
  if (from.source !== to.source) throw new UsageError(`The two backups were opened for different sources ("${from.source}", "${to.source}").`, { hint: 'Name the source with --source.' });
  const changes: Change[] = [];
  for await (const change of diffSnapshots(from, to)) changes.push(change);
  const total = (kind: Change['kind']) => {
    const some = changes.filter((c) => c.kind === kind && c.type !== 'dir');
    return { paths: some.length, bytes: some.reduce((sum, c) => sum + c.size, 0) };
  };
  const totals = { added: total('added'), removed: total('removed'), changed: total('changed') };
  if (!input.json) {
    const lines = changes.map((c) => `${MARK[c.kind]} ${c.path}${c.type === 'dir' ? '/' : ''}${c.kind === 'changed' ? `  (${c.what.join(', ')}${c.what.includes('content') ? `: ${c.was} -> ${c.size} bytes` : ''})` : c.type === 'file' ? `  (${c.size} bytes)` : ''}`);
    lines.push(`${from.backupId} -> ${to.backupId} (source "${to.source}"): ${totals.added.paths} added (${totals.added.bytes} bytes), ${totals.removed.paths} removed (${totals.removed.bytes} bytes), ${totals.changed.paths} changed; folders not counted.`);
    io.reporter.output(lines.join('\n'));
  }
  return { from: from.backupId, to: to.backupId, source: to.source, changes, totals };
};
