import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  KEY_TYPE,
  PassphraseProtected,
  Reader,
  fingerprint,
  parsePublicKey,
  readPrivateKey,
  str,
  u32
} from "./chunk-TY4SYINN.js";
import {
  medium
} from "./chunk-23TMSUQ2.js";
import {
  external_exports
} from "./chunk-QVOAAX5T.js";
import {
  IntegrityError,
  NotFoundError,
  RunError,
  UsageError,
  reason
} from "./chunk-WHVU3KGO.js";

// src/artifacts/backup-id.ts
import { randomBytes } from "node:crypto";
var ID = /^(\d{8}T\d{6}Z)(?:-v(.+))?-([0-9a-f]{6})$/;
function sanitizeVersion(version) {
  return version.replace(/[^A-Za-z0-9._+-]/g, "_").slice(0, 40);
}
function makeBackupId(at, appVersion, tag = at.getUTCMilliseconds().toString(16).padStart(3, "0") + randomBytes(2).toString("hex").slice(0, 3)) {
  const stamp = at.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
  return [stamp, appVersion ? `v${sanitizeVersion(appVersion)}` : void 0, tag].filter(Boolean).join("-");
}
function parseBackupId(id) {
  const match = ID.exec(id);
  if (!match) return void 0;
  const s = match[1];
  const time = /* @__PURE__ */ new Date(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`);
  if (Number.isNaN(time.getTime()) || !makeBackupId(time, null, "x").startsWith(s)) return void 0;
  return { id, time, appVersion: match[2] ?? null };
}
function compareBackupIds(a, b) {
  const x = ID.exec(a);
  const y = ID.exec(b);
  const keyA = x ? `${x[1]}-${x[3]}` : a;
  const keyB = y ? `${y[1]}-${y[3]}` : b;
  return keyA < keyB ? -1 : keyA > keyB ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

// src/artifacts/signature.ts
import { createHash, sign, verify } from "node:crypto";
import { readFileSync } from "node:fs";
var SIGNATURE = "manifest.json.sig";
var NAMESPACE = "restorable-manifest";
var SIGNING_KEY_ENV = "RESTORABLE_SIGNING_KEY";
var MAGIC = Buffer.from("SSHSIG");
var BEGIN = "-----BEGIN SSH SIGNATURE-----";
var END = "-----END SSH SIGNATURE-----";
var SignatureError = class extends IntegrityError {
  constructor(state, message) {
    super(message, {
      hint: state === "unsigned" ? `The plan pins signing.public_key, and every backup it makes is signed: a manifest without ${SIGNATURE} was not written by it (or by a run before signing was set). Use a copy on another target (--target) or another backup (--backup).` : "Someone may have changed or replaced this backup on the target. Do not restore it; use a copy that verifies (--target) or another backup (--backup), and check who can write to that target."
    });
    this.state = state;
  }
};
function signedData(hashName, message) {
  const hash = createHash(hashName).update(message).digest();
  return Buffer.concat([MAGIC, str(NAMESPACE), str(""), str(hashName), str(hash)]);
}
function signWith(key, blob, message) {
  const signature = Buffer.concat([str(KEY_TYPE), str(sign(null, signedData("sha512", message), key))]);
  const raw = Buffer.concat([MAGIC, u32(1), str(blob), str(NAMESPACE), str(""), str("sha512"), str(signature)]);
  const lines = raw.toString("base64").match(/.{1,70}/g);
  return `${[BEGIN, ...lines, END].join("\n")}
`;
}
function loadSigner(signing, env, secrets) {
  const pinned = parsePublicKey(signing.public_key);
  const value = env[SIGNING_KEY_ENV]?.trim();
  const hint = `Set ${SIGNING_KEY_ENV} to the private key whose public half is signing.public_key (the file ssh-keygen -t ed25519 wrote), or to the path of that file.`;
  if (!value) throw new UsageError(`The plan signs its manifests (signing.public_key ${pinned.fingerprint}), but ${SIGNING_KEY_ENV} is not set; nothing was backed up.`, { hint });
  let text = value;
  if (!value.includes("-----BEGIN")) {
    try {
      text = readFileSync(value, "utf8");
    } catch (error) {
      throw new UsageError(`${SIGNING_KEY_ENV} names a key file that cannot be read: ${reason(error)}.`, { hint });
    }
  }
  for (const line of text.split(/\r?\n/)) if (!line.startsWith("-----")) secrets.add(line.trim());
  let own;
  try {
    own = readPrivateKey(text);
  } catch (error) {
    if (error instanceof PassphraseProtected) {
      throw new UsageError(`${SIGNING_KEY_ENV} holds a private key ${error.message}; restorable cannot ask for one.`, {
        hint: "Make an unencrypted copy for the backup job and keep it as a secret: cp KEY job.key && ssh-keygen -p -N '' -f job.key"
      });
    }
    throw new UsageError(`${SIGNING_KEY_ENV} does not hold a usable signing key: ${reason(error)}.`, { hint });
  }
  if (!own.blob.equals(pinned.blob)) {
    throw new UsageError(`${SIGNING_KEY_ENV} holds the key ${fingerprint(own.blob)}, but the plan pins ${pinned.fingerprint} (signing.public_key).`, {
      hint: "Use the private key that belongs to the pinned public key, or pin the new public key (ssh-keygen -y -f KEY prints it)."
    });
  }
  return { publicKey: pinned, sign: (message) => signWith(own.key, own.blob, message) };
}
function signatureProblem(message, armored, pinned) {
  try {
    const text = armored.trim();
    if (!text.startsWith(BEGIN) || !text.endsWith(END)) return `it is not an armored SSH signature (${BEGIN})`;
    const r = new Reader(Buffer.from(text.slice(BEGIN.length, -END.length).replace(/\s+/g, ""), "base64"));
    if (!r.bytes(6).equals(MAGIC) || r.u32() !== 1) return "it is not an SSHSIG version 1 signature";
    const blob = r.string();
    const namespace = r.text();
    r.string();
    const hashName = r.text();
    const sig = new Reader(r.string());
    if (!r.done) return "it has bytes after its end";
    if (!blob.equals(pinned.blob)) return `it is signed by another key (${fingerprint(blob)}), not the plan's ${pinned.fingerprint}`;
    if (namespace !== NAMESPACE) return `it is signed for namespace "${namespace}", not "${NAMESPACE}"`;
    if (hashName !== "sha512" && hashName !== "sha256") return `it uses the hash ${hashName}`;
    if (sig.text() !== KEY_TYPE) return "its signature is not ssh-ed25519";
    return verify(null, signedData(hashName, message), pinned.key, sig.string()) ? void 0 : "it does not match the manifest (the manifest was changed after it was signed)";
  } catch (error) {
    return `it cannot be read: ${reason(error)}`;
  }
}
function checkManifestSignature(manifest, armored, signing, where) {
  const what = `The manifest of backup ${where.id} on target "${where.target}"`;
  if (armored === void 0) throw new SignatureError("unsigned", `${what} is not signed (no ${SIGNATURE}), and the plan requires signed manifests.`);
  const problem = signatureProblem(manifest, armored, parsePublicKey(signing.public_key));
  if (problem) throw new SignatureError("bad signature", `${what} has a bad signature: ${problem}.`);
}

// src/artifacts/catalog.ts
import { Readable } from "node:stream";

// src/util/fault.ts
function faultPoint(name) {
  const wanted = process.env.RESTORABLE_FAULT;
  if (wanted === void 0) return;
  const points = wanted.split(",");
  if (points.includes(name)) process.kill(process.pid, "SIGKILL");
  if (points.includes(`fail:${name}`)) throw new RunError(`Fault point ${name} (RESTORABLE_FAULT).`);
}
var counts = /* @__PURE__ */ new Map();
function faultStep(series) {
  if (process.env.RESTORABLE_FAULT === void 0) return;
  const n = (counts.get(series) ?? 0) + 1;
  counts.set(series, n);
  faultPoint(`${series}:${n}`);
}

// src/artifacts/manifest.ts
var MANIFEST = "manifest.json";
var DRILL = "drill.json";
var requirement = external_exports.object({ copies: external_exports.number(), media: external_exports.number(), offsite: external_exports.number(), immutable: external_exports.number() });
var sourceEntry = external_exports.object({
  name: external_exports.string(),
  type: external_exports.string(),
  kind: external_exports.enum(["database", "files"]),
  /**
   * Absent: the artifact holds the snapshot itself (a database file, a dump,
   * a tar). repository: the artifact is a snapshot object naming blobs in the
   * target's repository (`<plan>/repo/`, docs/repository.md).
   */
  storage: external_exports.literal("repository").optional(),
  /** `client`: the tool that read the engine when it is not the engine itself, e.g. `pg_dump 15.18`. */
  engine: external_exports.object({ name: external_exports.string(), version: external_exports.string(), client: external_exports.string().optional() }).nullable(),
  method: external_exports.string(),
  schema_version: external_exports.string().nullable(),
  artifact: external_exports.object({
    file: external_exports.string().regex(/^[a-z0-9][a-z0-9_.-]*$/),
    bytes: external_exports.number().int().nonnegative(),
    sha256: external_exports.string().regex(/^[0-9a-f]{64}$/),
    /**
     * Bytes of the snapshot itself (decompressed, decrypted): what a restore
     * writes. A restore checks for that much room before it starts, and stops
     * a stream that decodes to more. Absent in manifests written before it was
     * recorded; those restore without either check.
     */
    decoded_bytes: external_exports.number().int().nonnegative().optional(),
    compression: external_exports.object({ algorithm: external_exports.enum(["zstd", "gzip", "none"]), level: external_exports.number().nullable() }),
    /** The public side only: age recipients (public keys) or the passphrase mode, never a key. */
    encryption: external_exports.object({ format: external_exports.literal("age"), mode: external_exports.enum(["recipients", "passphrase"]), recipients: external_exports.array(external_exports.string().regex(/^age1[0-9a-z]+$/)) }).nullable()
  }),
  counts: external_exports.record(external_exports.string(), external_exports.number()),
  duration_ms: external_exports.number()
});
var manifestSchema = external_exports.object({
  format: external_exports.literal(1),
  tool: external_exports.object({ name: external_exports.literal("restorable"), version: external_exports.string() }),
  plan: external_exports.object({ name: external_exports.string(), sha256: external_exports.string() }),
  backup_id: external_exports.string(),
  started_at: external_exports.string(),
  finished_at: external_exports.string(),
  app_version: external_exports.string().nullable(),
  trigger: external_exports.string(),
  host: external_exports.string(),
  github: external_exports.object({ repository: external_exports.string(), sha: external_exports.string(), ref: external_exports.string(), workflow: external_exports.string(), run_id: external_exports.string(), run_attempt: external_exports.string() }).nullable(),
  sources: external_exports.array(sourceEntry).min(1),
  copies: external_exports.array(
    external_exports.object({
      target: external_exports.string(),
      type: external_exports.string(),
      medium,
      offsite: external_exports.boolean(),
      immutable: external_exports.boolean(),
      verified_at: external_exports.string(),
      /** False for a tier that is never counted by the copy rule (the GitHub cache). */
      counted: external_exports.boolean().optional(),
      /** When the store deletes this copy by itself (GitHub artifacts); it counts only until then. */
      expires_at: external_exports.string().nullable().optional()
    })
  ),
  policy: external_exports.object({ rule: external_exports.string(), met: external_exports.boolean(), required: requirement, have: requirement })
});
var drillSchema = external_exports.object({
  backup_id: external_exports.string(),
  at: external_exports.string(),
  ok: external_exports.boolean(),
  target: external_exports.string(),
  duration_ms: external_exports.number(),
  checks: external_exports.array(external_exports.object({ name: external_exports.string(), ok: external_exports.boolean(), ms: external_exports.number(), detail: external_exports.string() }))
});

// src/artifacts/catalog.ts
var keyOf = {
  dir: (plan, id) => `${plan}/${id}/`,
  file: (plan, id, file) => `${plan}/${id}/${file}`
};
async function listBackups(target, plan) {
  const byId = /* @__PURE__ */ new Map();
  for (const object of await target.list(`${plan}/`)) {
    const id = object.key.slice(plan.length + 1).split("/")[0];
    if (!parseBackupId(id)) continue;
    byId.set(id, [...byId.get(id) ?? [], object]);
  }
  return [...byId.entries()].map(([id, objects]) => ({
    id,
    time: parseBackupId(id).time,
    complete: objects.some((o) => o.key === keyOf.file(plan, id, MANIFEST)),
    objects,
    bytes: objects.reduce((sum, o) => sum + o.size, 0)
  })).sort((a, b) => compareBackupIds(b.id, a.id));
}
async function removeBackup(target, plan, id, objects) {
  const manifestKey = keyOf.file(plan, id, MANIFEST);
  faultStep("prune");
  await target.remove([manifestKey]);
  const rest = objects ?? await target.list(keyOf.dir(plan, id));
  faultStep("prune");
  await target.remove(rest.map((o) => o.key).filter((key) => key !== manifestKey));
}
async function readBytes(target, key) {
  const chunks = [];
  for await (const chunk of await target.get(key)) chunks.push(chunk);
  return Buffer.concat(chunks);
}
async function readText(target, key) {
  return (await readBytes(target, key)).toString("utf8");
}
async function putManifest(target, plan, id, body, signature) {
  const manifestKey = keyOf.file(plan, id, MANIFEST);
  if (signature !== void 0) {
    if (!target.writeOnce) await target.remove([manifestKey]);
    await target.put(keyOf.file(plan, id, SIGNATURE), Readable.from([Buffer.from(signature)]));
  }
  await target.put(manifestKey, Readable.from([body]));
}
async function readSignature(target, plan, id) {
  return readText(target, keyOf.file(plan, id, SIGNATURE)).catch((error) => {
    if (error instanceof NotFoundError) return void 0;
    throw error;
  });
}
async function readManifest(target, plan, id, signing) {
  const key = keyOf.file(plan, id, MANIFEST);
  const bytes = await readBytes(target, key);
  if (signing) checkManifestSignature(bytes, await readSignature(target, plan, id), signing, { id, target: target.name });
  const text = bytes.toString("utf8");
  let json;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new IntegrityError(`The manifest of backup ${id} on target "${target.name}" is not valid JSON (${reason(error)}); it may be truncated.`, {
      hint: "Use a copy of this backup from another target (--target), or another backup (--backup)."
    });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success || parsed.data.backup_id !== id) {
    throw new IntegrityError(`The manifest of backup ${id} on target "${target.name}" is damaged: ${parsed.success ? "it names another backup" : parsed.error.issues[0]?.message}.`, {
      hint: "Use a copy of this backup from another target (--target), or another backup (--backup)."
    });
  }
  return parsed.data;
}
async function readDrill(target, plan, id) {
  try {
    const parsed = drillSchema.safeParse(JSON.parse(await readText(target, keyOf.file(plan, id, DRILL))));
    return parsed.success ? parsed.data : void 0;
  } catch (error) {
    if (error instanceof NotFoundError || error instanceof SyntaxError) return void 0;
    throw error;
  }
}

export {
  makeBackupId,
  compareBackupIds,
  faultPoint,
  faultStep,
  DRILL,
  SignatureError,
  loadSigner,
  keyOf,
  listBackups,
  removeBackup,
  readBytes,
  readText,
  putManifest,
  readManifest,
  readDrill
};
