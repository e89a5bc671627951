/**
 * The worker thread that proves local copies: the same SHA-256 and length as
 * hashing on the main thread, several files at once answered each to its
 * caller, and a file that cannot be read is an error with its code (the
 * caller then reads through the target, which says what is wrong).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { digestFile } from '../../src/util/file-digest.js';

const dir = mkdtempSync(join(tmpdir(), 'restorable-digest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('hashes files as createHash does, each answer to its own caller', async () => {
  const files = [0, 1, 1 << 20, (3 << 20) + 17].map((size, i) => {
    const bytes = randomBytes(size);
    const path = join(dir, `f${i}`);
    writeFileSync(path, bytes);
    return { path, want: { sha256: createHash('sha256').update(bytes).digest('hex'), length: size } };
  });
  const got = await Promise.all(files.map((f) => digestFile(f.path)));
  expect(got).toEqual(files.map((f) => f.want));
});

it('rejects with the error code when the file cannot be read', async () => {
  await expect(digestFile(join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  // The worker goes on serving after a failure.
  writeFileSync(join(dir, 'after'), 'x');
  expect((await digestFile(join(dir, 'after'))).length).toBe(1);
});
