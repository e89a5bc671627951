/**
 * VODUM: one SQLite database (DATABASE_PATH, default /appdata/database.db)
 * and the secret key beside it (vodum.secret_key) that encrypts its stored
 * credentials. From VODUM's backup page (https://github.com/Nexius2/vodum-docs/blob/main/docs/backup.md):
 * its backups are SQLite files, and a restore replaces the whole database.
 */
import { commonQuestions, containerOf, header, mountedAt, restoreHooks, targetBlock } from './blocks.js';
import { yamlValue, type Preset } from './preset.js';

const IMAGE = /vodum/i;

export const vodum: Preset = {
  name: 'vodum',
  title: 'VODUM',
  docs: ['https://github.com/Nexius2/vodum-docs/blob/main/docs/backup.md'],
  questions: [
    ...commonQuestions('vodum', containerOf(IMAGE, 'vodum')),
    { key: 'appdata', ask: 'The appdata folder (mounted at /appdata)', suggest: mountedAt(IMAGE, '/appdata', 'appdata') },
  ],
  render(a) {
    const dir = a.appdata!.replace(/\/+$/, '');
    return `${header('VODUM', 'vodum', this.docs, [])}
name: ${yamlValue(a.name!)}
sources:
  - name: db
    type: sqlite
    path: ${yamlValue(`${dir}/database.db`)}
  - name: appdata
    type: files
    path: ${yamlValue(dir)}
    # The key that decrypts the credentials stored in the database: without it they are lost.
    # VODUM's own backups/ go along; the live database is the db source above.
    include: ["vodum.secret_key", "backups/**"]
    exclude: ["database.db*"]
${targetBlock(a)}restore:
  healthchecks:
    - {name: integrity, source: db, sql: "pragma integrity_check", expect: {equals: ok}}
    - {name: settings, source: db, sql: "select count(*) from settings", expect: {min: 1}}
${restoreHooks(a, 'VODUM must not write while its database is swapped.')}`;
  },
  todo: () => ['add a second and an offsite target, then set policy.rule: 3-2-1', 'encrypt the backups (age_recipients): they hold the secret key with the database'],
};
