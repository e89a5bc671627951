/**
 * Paperless-ngx with PostgreSQL or SQLite, plus media/ and data/. From its
 * administration guide (https://docs.paperless-ngx.com/administration/#backup):
 * the database, media/ (originals, archived PDFs) and data/ must be backed
 * up together and restored onto the same Paperless version; the search
 * index and the classifier in data/ can be rebuilt (document_index reindex,
 * document_create_classifier), thumbnails too (document_thumbnails).
 */
import { commonQuestions, containerOf, header, mountedAt, postgresQuestions, postgresSource, restoreHooks, targetBlock } from './blocks.js';
import { serviceByImage } from './compose.js';
import { yamlValue, type Answers, type Preset } from './preset.js';

const IMAGE = /paperless-ngx/;
const usesPostgres = (a: Answers) => a.engine === 'postgres';

export const paperless: Preset = {
  name: 'paperless',
  title: 'Paperless-ngx',
  docs: ['https://docs.paperless-ngx.com/administration/#backup', 'https://docs.paperless-ngx.com/administration/#exporter'],
  questions: [
    ...commonQuestions('paperless', containerOf(IMAGE, 'paperless')),
    { key: 'engine', ask: 'Database engine', choices: ['postgres', 'sqlite'], suggest: (app) => (serviceByImage(app, IMAGE)?.environment.PAPERLESS_DBHOST || app.env.PAPERLESS_DBHOST ? 'postgres' : 'sqlite') },
    { key: 'data', ask: 'The data folder (mounted at /usr/src/paperless/data)', suggest: mountedAt(IMAGE, '/usr/src/paperless/data', 'data') },
    { key: 'media', ask: 'The media folder (mounted at /usr/src/paperless/media)', suggest: mountedAt(IMAGE, '/usr/src/paperless/media', 'media') },
    ...postgresQuestions(
      {
        container: containerOf(/^postgres|\/postgres/, 'paperless-db'),
        user: (app) => serviceByImage(app, IMAGE)?.environment.PAPERLESS_DBUSER ?? 'paperless',
        database: (app) => serviceByImage(app, IMAGE)?.environment.PAPERLESS_DBNAME ?? 'paperless',
      },
      usesPostgres,
    ),
  ],
  render(a) {
    const data = a.data!.replace(/\/+$/, '');
    const db = usesPostgres(a)
      ? postgresSource(a, 'db', '    schema_version: {sql: "select count(*) from django_migrations"}\n')
      : `  - name: db\n    type: sqlite\n    path: ${yamlValue(`${data}/db.sqlite3`)}\n    schema_version: {sql: "select count(*) from django_migrations"}\n`;
    return `${header('Paperless-ngx', 'paperless', this.docs, [
      `Engine: ${a.engine}. A restore must go onto the same Paperless version: the schema_version`,
      'below (the applied Django migrations) makes restorable refuse a backup of another one.',
    ])}
name: ${yamlValue(a.name!)}
sources:
${db}  - name: media
    type: files
    path: ${yamlValue(a.media!)}
    after: [db]
    # documents/originals and documents/archive are the documents. Thumbnails can be rebuilt
    # (document_thumbnails), but are small; they are kept.
  - name: data
    type: files
    path: ${yamlValue(data)}
    after: [db]
    # index/ (the search index) rebuilds with document_index reindex; celerybeat state is runtime.
    exclude: ["index/**", "celerybeat-schedule*", "db.sqlite3*", "*.lock"]
${targetBlock(a)}restore:
  healthchecks:
    - {name: migrated, source: db, sql: "select count(*) from django_migrations", expect: {min: 1}}
    # filename is relative to media/documents/originals.
    - {name: originals-present, source: db, sql: "select 'documents/originals/' || filename from documents_document where filename is not null", expect: {files_exist: {in: media}}}
${restoreHooks(a, 'Paperless (its consumer and workers) must not write while the database and files are swapped.')}`;
  },
  todo: (a) => [
    ...(usesPostgres(a) && a['db-exec'] === 'no' ? ['export PGPASSWORD (PAPERLESS_DBPASS) wherever restorable runs'] : []),
    'add a second and an offsite target, then set policy.rule: 3-2-1',
    'app.version: set it to the Paperless-ngx image tag you run (restores must match it)',
  ],
};
