/**
 * The repository's objects and where they live on a target. docs/repository.md
 * describes the same format for readers without restorable; a change here is
 * a change there, and `format` goes up when an old reader would misread it.
 *
 *   <plan>/repo/config.json          plain JSON: format, chunker, whether ids are keyed
 *   <plan>/repo/keys/<key id>        the id key, sealed to the plan's age recipients or passphrase
 *   <plan>/repo/data/<xx>/<pack id>  packs: blobs, then their header; the id is the sha256 of the stored bytes
 *   <plan>/repo/index/<index id>     which blobs each pack holds; the id is the sha256 of the stored bytes
 *   <plan>/<backup id>/<source>.snapshot.json[.age]   one snapshot per backup and source, named in manifest.json
 *
 * Objects are sealed with age when the plan encrypts; ids of stored objects
 * are always the sha256 of the stored bytes, so `verify` needs no key.
 */
import { z } from 'zod';

export const REPO_FORMAT = 1;
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const repoKeys = {
  root: (plan: string) => `${plan}/repo/`,
  config: (plan: string) => `${plan}/repo/config.json`,
  key: (plan: string, id: string) => `${plan}/repo/keys/${id}`,
  keys: (plan: string) => `${plan}/repo/keys/`,
  pack: (plan: string, id: string) => `${plan}/repo/data/${id.slice(0, 2)}/${id}`,
  packs: (plan: string) => `${plan}/repo/data/`,
  index: (plan: string, id: string) => `${plan}/repo/index/${id}`,
  indexes: (plan: string) => `${plan}/repo/index/`,
};

/** The id at the end of a pack or index key, when it is one. */
export function idOfKey(key: string): string | undefined {
  const last = key.slice(key.lastIndexOf('/') + 1);
  return /^[0-9a-f]{64}$/.test(last) ? last : undefined;
}

export const repoConfig = z.object({
  format: z.literal(REPO_FORMAT),
  kind: z.literal('restorable-repository'),
  chunker: z.object({ algorithm: z.literal('fastcdc'), min: z.number(), avg: z.number(), max: z.number() }),
  keyed_ids: z.boolean(),
});
export type RepoConfig = z.infer<typeof repoConfig>;

export const blobEntry = z.object({
  id: hex64,
  type: z.enum(['data', 'tree']),
  /** Where the stored blob starts in the pack's plaintext, and its stored length. */
  offset: z.number().int().nonnegative(),
  length: z.number().int().nonnegative(),
  raw_length: z.number().int().nonnegative(),
  compression: z.enum(['zstd', 'none']),
});
export type BlobEntry = z.infer<typeof blobEntry>;

/** The header at the end of every pack's plaintext; an index holds the same per pack. */
export const packHeader = z.object({ format: z.literal(REPO_FORMAT), key_id: z.string().nullable(), blobs: z.array(blobEntry) });
export const PACK_MAGIC = Buffer.from('RSTPACK1');

export const indexObject = z.object({
  format: z.literal(REPO_FORMAT),
  kind: z.literal('restorable-index'),
  packs: z.array(z.object({ id: hex64, size: z.number().int().nonnegative(), key_id: z.string().nullable(), blobs: z.array(blobEntry) })),
});
export type IndexObject = z.infer<typeof indexObject>;
export type IndexedPack = IndexObject['packs'][number];

/** Names one entry of a folder: never `.`, `..`, empty, or holding `/` or NUL (checked again at restore). */
export const nodeName = z.string().refine((n) => n !== '' && n !== '.' && n !== '..' && !/[/\0]/.test(n), { error: 'not a plain file name' });

export const treeNode = z.discriminatedUnion('type', [
  z.object({ type: z.literal('file'), name: nodeName, mode: z.number().int(), uid: z.number().int(), gid: z.number().int(), mtime_ns: z.string().regex(/^\d+$/), size: z.number().int().nonnegative(), content: z.array(hex64) }),
  z.object({ type: z.literal('dir'), name: nodeName, mode: z.number().int(), uid: z.number().int(), gid: z.number().int(), mtime_ns: z.string().regex(/^\d+$/), subtree: hex64 }),
  z.object({ type: z.literal('symlink'), name: nodeName, mode: z.number().int(), uid: z.number().int(), gid: z.number().int(), mtime_ns: z.string().regex(/^\d+$/), target: z.string() }),
]);
export type TreeNode = z.infer<typeof treeNode>;
/** One folder's entries, sorted by name (code units), stored as a `tree` blob of its JSON. */
export const tree = z.object({ nodes: z.array(treeNode) });
export type Tree = z.infer<typeof tree>;

export const snapshotObject = z.object({
  format: z.literal(REPO_FORMAT),
  kind: z.literal('restorable-snapshot'),
  plan: z.string(),
  source: z.string(),
  backup_id: z.string(),
  time: z.string(),
  /** The tree blob of the source's folder itself (its mode and mtime are the root's). */
  root: hex64,
  root_meta: z.object({ mode: z.number().int(), uid: z.number().int(), gid: z.number().int(), mtime_ns: z.string() }),
  key_id: z.string().nullable(),
  counts: z.object({ files: z.number(), dirs: z.number(), symlinks: z.number(), bytes: z.number() }),
});
export type SnapshotObject = z.infer<typeof snapshotObject>;

export function snapshotFile(source: string, encrypted: boolean): string {
  return `${source}.snapshot.json${encrypted ? '.age' : ''}`;
}
