// The files of bench/repository.sh: FILES files of KIB KiB of random bytes (incompressible, like
// photos) in 100 folders, or 1% of them changed in place (8 bytes at offset 100, the size kept).
// A bash loop of `head` forked twice per file: 200k thumbnails took minutes before any tool ran.
// Usage: node bench/mkfiles.mjs create|change DIR FILES KIB
import { closeSync, mkdirSync, openSync, writeSync, writeFileSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { join } from 'node:path';

const [mode, dir, filesArg, kibArg] = process.argv.slice(2);
const files = Number(filesArg);
const bytes = Number(kibArg) * 1024;
if (!['create', 'change'].includes(mode) || !dir || !(files > 0) || !(bytes > 0)) {
  console.error('usage: node bench/mkfiles.mjs create|change DIR FILES KIB');
  process.exit(64);
}
const path = (i) => join(dir, `d${i % 100}`, `f${i}.jpg`);
if (mode === 'create') {
  for (let d = 0; d < Math.min(100, files + 1); d += 1) mkdirSync(join(dir, `d${d}`), { recursive: true });
  // One random buffer refilled per file: each file's bytes are fresh, so nothing deduplicates by accident.
  const buffer = Buffer.allocUnsafe(bytes);
  for (let i = 1; i <= files; i += 1) writeFileSync(path(i), randomFillSync(buffer));
} else {
  for (let i = 1; i <= files; i += 100) {
    const fd = openSync(path(i), 'r+');
    writeSync(fd, 'changed!', 100);
    closeSync(fd);
  }
}
