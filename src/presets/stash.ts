/**
 * Stash: stash-go.sqlite (WAL mode) in its config folder, and the blobs
 * folder when binary data (covers, images) is stored on the filesystem.
 * From Stash's docs (https://docs.stashapp.cc/in-app-manual/tasks/#backup and
 * https://docs.stashapp.cc/in-app-manual/configuration/): the database and
 * the blobs folder are the state; generated/ and cache/ are rebuilt by the
 * Generate task; the media library is the user's own files.
 */
import { commonQuestions, containerOf, header, mountedAt, restoreHooks, targetBlock } from './blocks.js';
import { isNo, yamlValue, type Preset } from './preset.js';

const IMAGE = /stashapp\/stash/;

export const stash: Preset = {
  name: 'stash',
  title: 'Stash',
  docs: ['https://docs.stashapp.cc/in-app-manual/tasks/#backup', 'https://docs.stashapp.cc/in-app-manual/configuration/'],
  questions: [
    ...commonQuestions('stash', containerOf(IMAGE, 'stash')),
    { key: 'config', ask: 'The config folder holding stash-go.sqlite (mounted at /root/.stash)', suggest: mountedAt(IMAGE, '/root/.stash', 'config') },
    { key: 'blobs', ask: 'The blobs folder, when binary data is on the filesystem ("no": kept in the database)', suggest: mountedAt(IMAGE, '/blobs', 'blobs') },
  ],
  render(a) {
    const blobs = !isNo(a.blobs);
    return `${header('Stash', 'stash', this.docs, [
      'generated/ and cache/ are not backed up: Tasks > Generate rebuilds them. Your media library is',
      'your own files: back it up separately, or add a files source for it.',
    ])}
name: ${yamlValue(a.name!)}
sources:
  - name: db
    type: sqlite
    # A WAL database: restorable snapshots it with SQLite's backup API, never by copying the file.
    path: ${yamlValue(`${a.config!.replace(/\/+$/, '')}/stash-go.sqlite`)}
    # golang-migrate's table: the schema a restore must match.
    schema_version: {sql: "select version from schema_migrations"}
${blobs ? `  - name: blobs\n    type: files\n    path: ${yamlValue(a.blobs!)}\n` : ''}${targetBlock(a)}restore:
  healthchecks:
    - {name: integrity, source: db, sql: "pragma integrity_check", expect: {equals: ok}}
    - {name: clean-migration, source: db, sql: "select dirty from schema_migrations", expect: {equals: 0}}
${blobs ? `    # A blob stored on the filesystem has no bytes in the database; its file is <blobs>/ab/cd/abcd... .
    - {name: blobs-present, source: db, sql: "select substr(checksum, 1, 2) || '/' || substr(checksum, 3, 2) || '/' || checksum from blobs where blob is null", expect: {files_exist: {in: blobs}}}\n` : ''}${restoreHooks(a, 'Stash must not write while stash-go.sqlite is swapped.')}`;
  },
  todo: () => ['add a second and an offsite target, then set policy.rule: 3-2-1', 'app.version: Stash reports its version over GraphQL only; set app.version by hand, or from a command'],
};
