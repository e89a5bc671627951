/**
 * Immich: PostgreSQL (with its vector extensions, so the dump must be made
 * by the client in Immich's own database image) and UPLOAD_LOCATION.
 * From Immich's backup guide (https://immich.app/docs/administration/backup-and-restore):
 * back up the database by dump, never the raw DB_DATA_LOCATION folder;
 * database before files; library/, upload/, profile/ and backups/ matter,
 * thumbs/ and encoded-video/ are generated again by Immich's jobs.
 */
import { commonQuestions, containerOf, header, mountedAt, postgresQuestions, postgresSource, restoreHooks, targetBlock } from './blocks.js';
import { hostPathOf, inApp, serviceByImage, type AppFolder } from './compose.js';
import { isNo, yamlValue, type Preset } from './preset.js';

const SERVER = /immich-server/;
const DB = /postgres|vectorchord|pgvecto/;

/** Where the server container sees UPLOAD_LOCATION: /data since Immich 1.133's compose file, /usr/src/app/upload before. */
function mediaMount(app: AppFolder): string {
  const server = serviceByImage(app, SERVER);
  return ['/data', '/usr/src/app/upload'].find((t) => hostPathOf(server, t)) ?? '/data';
}

export const immich: Preset = {
  name: 'immich',
  title: 'Immich',
  docs: ['https://immich.app/docs/administration/backup-and-restore', 'https://immich.app/docs/install/environment-variables'],
  questions: [
    ...commonQuestions('immich', containerOf(SERVER, 'immich_server')),
    { key: 'upload-location', ask: 'UPLOAD_LOCATION (the media folder on this machine)', suggest: (app) => (app.env.UPLOAD_LOCATION ? inApp(app, app.env.UPLOAD_LOCATION) : mountedAt(SERVER, mediaMount(app), 'library')(app)) },
    { key: 'media-mount', ask: 'Where the Immich server sees that folder (paths in the database start with it)', suggest: mediaMount },
    ...postgresQuestions({ container: containerOf(DB, 'immich_postgres'), user: (app) => app.env.DB_USERNAME ?? 'postgres', database: (app) => app.env.DB_DATABASE_NAME ?? 'immich' }),
    { key: 'app-url', ask: 'Immich URL for the version and the health check ("no": none)', suggest: () => 'http://localhost:2283' },
  ],
  render(a) {
    const url = isNo(a['app-url']) ? undefined : a['app-url']!.replace(/\/+$/, '');
    return `${header('Immich', 'immich', this.docs, [
      'The database is dumped first, then the media folder: every asset row then has its file.',
      'DB_DATA_LOCATION (the raw PostgreSQL folder) is not copied: a dump of it is the backup.',
    ])}
name: ${yamlValue(a.name!)}
${url ? `app:\n  # Immich answers {"major":1,"minor":...,"patch":...} at /api/server/version; a backup fails while\n  # Immich is down (each backup is tagged with the version it was made of).\n  version_from: {http: {url: ${yamlValue(`${url}/api/server/version`)}, json: [major, minor, patch]}}\n` : '# app: no version source (init --app-url no); restores then cannot refuse a backup of another Immich version.\n'}sources:
${postgresSource(a, 'db', `    # The newest migration: a restore refuses a backup of another schema unless told to.
    schema_version: {sql: "select name from kysely_migrations order by name desc limit 1"}
`)}  - name: media
    type: files
    path: ${yamlValue(a['upload-location']!)}
    after: [db]
    # library/ and upload/ hold the originals, profile/ the avatars, backups/ Immich's own nightly dumps.
    # thumbs/ and encoded-video/ are generated: Administration > Jobs > Generate Thumbnails and
    # Transcode Videos (missing) rebuild them after a restore.
    exclude: ["thumbs/**", "encoded-video/**"]
${targetBlock(a)}restore:
  healthchecks:
    - {name: users, source: db, sql: 'select count(*) from "user"', expect: {min: 1}}
    # Every original the database names came back (external libraries live elsewhere: left out).
    # The table is "asset" since Immich 1.137 ("assets" before: change the name for older versions).
    - name: originals-present
      source: db
      sql: 'select "originalPath" from asset where "libraryId" is null'
      expect: {files_exist: {in: media, strip_prefix: ${yamlValue(a['media-mount']!)}}}
${url ? `    - {name: ping, http: {url: ${yamlValue(`${url}/api/server/ping`)}, contains: pong}, retries: 30, interval: 2s}\n` : ''}${restoreHooks(a, 'Immich must not write while its database and files are swapped (its guide stops immich-server).')}`;
  },
  todo: (a) => [
    ...(isNo(a['db-exec']) ? ['export PGPASSWORD (DB_PASSWORD in Immich\'s .env) wherever restorable runs'] : []),
    'add a second and an offsite target, then set policy.rule: 3-2-1',
    'consider encryption: age_recipients (see the README, "Encryption")',
  ],
};
