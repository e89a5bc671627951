import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  reclaimer
} from "./chunk-3REWNQ3V.js";
import {
  keyOf
} from "./chunk-2DH6G5LH.js";
import {
  IntegrityError
} from "./chunk-WHVU3KGO.js";

// src/artifacts/check.ts
import { createHash as createHash2 } from "node:crypto";
import { createWriteStream } from "node:fs";
import { Transform as Transform2, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";

// src/artifacts/digest.ts
import { createHash } from "node:crypto";
import { Transform } from "node:stream";
var Digest = class extends Transform {
  constructor(onProgress) {
    super({ highWaterMark: 1 << 20 });
    this.onProgress = onProgress;
  }
  hash = createHash("sha256");
  bytes = 0;
  result;
  reclaim = reclaimer();
  _transform(chunk, _encoding, callback) {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onProgress?.(this.bytes);
    this.reclaim(chunk.length);
    callback(null, chunk);
  }
  _flush(callback) {
    this.result = this.hash.digest("hex");
    callback();
  }
  /** The hex sha256, available once the stream has ended. */
  get sha256() {
    if (this.result === void 0) throw new Error("Digest read before the stream ended");
    return this.result;
  }
};

// src/artifacts/check.ts
async function readBack(target, plan, id, entry, copyTo, onBytes) {
  const digest = new Digest(onBytes);
  const sink = copyTo ? createWriteStream(copyTo, { flags: "wx" }) : new Writable({ write: (_chunk, _encoding, callback) => callback() });
  await pipeline(await target.get(keyOf.file(plan, id, entry.artifact.file)), digest, sink);
  return { sha256: digest.sha256, bytes: digest.bytes };
}
function mismatch(entry, got) {
  const { bytes, sha256 } = entry.artifact;
  if (got.bytes === bytes && got.sha256 === sha256) return void 0;
  return `read ${got.bytes} bytes with sha256 ${got.sha256.slice(0, 12)}..., expected ${bytes} bytes with sha256 ${sha256.slice(0, 12)}...`;
}
function matching(entry) {
  const hash = createHash2("sha256");
  let bytes = 0;
  return new Transform2({
    transform(chunk, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
    flush(callback) {
      const problem = mismatch(entry, { sha256: hash.digest("hex"), bytes });
      if (!problem) return callback();
      callback(new IntegrityError(`${entry.artifact.file} changed between its check and its restore: ${problem}`, { hint: "The storage returned different bytes on a second read; restore from another target." }));
    }
  });
}

export {
  Digest,
  readBack,
  mismatch,
  matching
};
