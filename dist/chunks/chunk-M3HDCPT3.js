import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  findBackup
} from "./chunk-SDQC2PXR.js";
import {
  RepoReader,
  open,
  parseSnapshot,
  readAll,
  sha256
} from "./chunk-3REWNQ3V.js";
import {
  keyOf,
  readManifest
} from "./chunk-2DH6G5LH.js";
import {
  createTarget
} from "./chunk-GOBZCQIN.js";
import {
  decryptionKeys
} from "./chunk-ZXVIM5QX.js";
import {
  IntegrityError,
  NotFoundError,
  UsageError
} from "./chunk-WHVU3KGO.js";

// src/restore/open-snapshot.ts
async function openSnapshot(loaded, want, io) {
  const { plan, dir } = loaded;
  const repos = plan.sources.filter((s) => s.type === "files" && s.storage === "repository").map((s) => s.name);
  const source = want.source ?? (repos.length === 1 ? repos[0] : void 0);
  if (!source || !repos.includes(source)) {
    throw new UsageError(repos.length === 0 ? "The plan keeps no source in a repository (storage: repository)." : `Name the repository source with --source (${repos.join(", ")}).`, {
      hint: "A tar backup is a plain archive already: `zstd -dc <source>.tar.zst | tar -t`."
    });
  }
  const targets = plan.targets.map((config) => createTarget(config, { planDir: dir, env: io.env, onRetry: (message) => io.reporter.warn(message) }));
  const { id, holders } = await findBackup(targets, plan.name, want.backup, io.reporter, want.target);
  let firstProblem;
  for (const target of holders) {
    try {
      const manifest = await readManifest(target, plan.name, id);
      const entry = manifest.sources.find((s) => s.name === source);
      if (!entry) throw new NotFoundError(`Backup ${id} holds no source named "${source}".`);
      if (entry.storage !== "repository") throw new UsageError(`Source "${source}" of backup ${id} is a tar archive, not a repository snapshot.`, { hint: `Read it as a plain archive: zstd -dc ${entry.artifact.file} | tar -t` });
      const stored = await readAll(target, keyOf.file(plan.name, id, entry.artifact.file));
      if (stored.length !== entry.artifact.bytes || sha256(stored) !== entry.artifact.sha256) throw new IntegrityError(`The snapshot object of backup ${id} on target "${target.name}" is damaged.`);
      const keys = entry.artifact.encryption ? decryptionKeys(io.env, plan.encryption, io.secrets) : { identities: [] };
      const snapshot = parseSnapshot(await open(stored, entry.artifact.encryption, keys, `The snapshot of backup ${id}`), `The snapshot of backup ${id}`);
      const reader = await RepoReader.open(target, plan.name, snapshot, plan.encryption, keys);
      return { backupId: id, source, target, reader, snapshot };
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error;
      io.reporter.warn(error.message);
      firstProblem ??= error;
    }
  }
  throw firstProblem;
}

export {
  openSnapshot
};
