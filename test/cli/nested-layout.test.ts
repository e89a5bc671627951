/**
 * A database inside a files source's folder (Vaultwarden's layout) and
 * excluded paths: a restore replaces exactly what the backup covered, in
 * either order of the sources; the database, the other source's files and
 * the excluded folders stay in the live folder.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { json, runCli } from '../helpers/cli.js';
import { changeVault, makeVault, vaultState, type Vault } from '../restore/vaultwarden.js';

let vault: Vault;
beforeEach(() => {
  vault = makeVault();
});
afterEach(() => vault.cleanup());

describe('a database inside a files source', () => {
  for (const order of ['db-first', 'files-first'] as const) {
    it(`restores the database, the attachments and leaves the excluded folders untouched (${order})`, async () => {
      vault.writePlan(order);
      const backedUp = await vaultState(vault);
      const backup = await runCli(['backup', '--plan', vault.plan]);
      expect(backup.code, backup.stderr).toBe(0);
      changeVault(vault);
      const changed = await vaultState(vault);
      expect(changed.rows).not.toEqual(backedUp.rows);
      const inodes = ['icon_cache/other.png', 'tmp/upload-1/part', 'icon_cache'].map((p) => statSync(join(vault.data, p)).ino);

      const restore = await runCli(['restore', '--plan', vault.plan, '--json']);
      expect(restore.code, restore.stderr).toBe(0);
      const after = await vaultState(vault);
      expect(after.rows).toEqual(backedUp.rows);
      expect(after.covered).toEqual(backedUp.covered); // hashes, modes, mtimes
      expect(after.excluded).toEqual(changed.excluded);
      expect(['icon_cache/other.png', 'tmp/upload-1/part', 'icon_cache'].map((p) => statSync(join(vault.data, p)).ino)).toEqual(inodes);
      expect(readdirSync(vault.data).filter((f) => f.startsWith('db.sqlite3'))).toEqual(['db.sqlite3']);
      // No restore journal is left once the restore stands.
      expect(readdirSync(join(vault.dir, '.restorable'))).toEqual([]);
      const points = json<{ sources: { name: string; restorePoint: string }[] }>(restore).sources;
      const filesPoint = points.find((s) => s.name === 'files')!.restorePoint;
      // The restore point holds what was replaced, and nothing of the database or the excluded folders.
      expect(readdirSync(join(filesPoint, 'data')).sort()).toEqual(['attachments', 'config.json', 'rsa_key.pem', 'sends']);
    });
  }
});
