/**
 * The attacker's view of a target: replace an artifact on every target of the
 * test workspace and rewrite its manifests to match (sha256, bytes and the
 * decoded size), as anyone with write access to a target can.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Workspace } from './workspace.js';

export const TARGETS = ['nas', 'usb', 'cloud'];

interface Artifact {
  file: string;
  bytes: number;
  sha256: string;
  decoded_bytes?: number;
}

function manifestAt(ws: Workspace, target: string, id: string): { path: string; body: { sources: { name: string; artifact: Artifact }[] } } {
  const path = join(ws.target(target), 'testapp', id, 'manifest.json');
  return { path, body: JSON.parse(readFileSync(path, 'utf8')) };
}

/** The decoded (zstd -d) bytes of a source's artifact as the backup stored it. */
export function decodedArtifact(ws: Workspace, id: string, source: string): Buffer {
  const { body } = manifestAt(ws, 'nas', id);
  const file = body.sources.find((s) => s.name === source)!.artifact.file;
  return execFileSync('zstd', ['-q', '-d', '-c', join(ws.target('nas'), 'testapp', id, file)], { maxBuffer: 1 << 30 });
}

/** Stores `raw`, compressed with zstd like the plan, as `source`'s artifact everywhere; the manifest's decoded size says `options.decoded` (default: the truth; null: absent, as in an old manifest). */
export function forge(ws: Workspace, id: string, source: string, raw: Buffer, options: { decoded?: number | null } = {}): void {
  const packed = execFileSync('zstd', ['-q', '-c', '-3'], { input: raw, maxBuffer: 1 << 30 });
  forgePacked(ws, id, source, packed, raw.length, options);
}

/** Stores already packed bytes as `source`'s artifact; the manifest says they decode to `decodedBytes` (or what `options.decoded` says). */
export function forgePacked(ws: Workspace, id: string, source: string, packed: Buffer, decodedBytes: number, options: { decoded?: number | null } = {}): void {
  const sha256 = createHash('sha256').update(packed).digest('hex');
  for (const target of TARGETS) {
    const { path, body } = manifestAt(ws, target, id);
    const artifact = body.sources.find((s) => s.name === source)!.artifact;
    writeFileSync(join(ws.target(target), 'testapp', id, artifact.file), packed);
    Object.assign(artifact, { sha256, bytes: packed.length });
    const decoded = options.decoded === undefined ? decodedBytes : options.decoded;
    if (decoded === null) delete artifact.decoded_bytes;
    else artifact.decoded_bytes = decoded;
    writeFileSync(path, JSON.stringify(body, null, 2));
  }
}
