/**
 * GameVault with PostgreSQL (its default) or SQLite, and its media folder.
 * From GameVault's backup page (https://gamevau.lt/docs/server-docs/backup-and-restore):
 * a backup is pg_dump's dump or a copy of the SQLite file; never restore a
 * backup onto another database engine, nor onto another server version.
 * The games folder (/files) is the user's library, not GameVault's state.
 */
import { commonQuestions, containerOf, header, mountedAt, postgresQuestions, postgresSource, restoreHooks, targetBlock } from './blocks.js';
import { serviceByImage } from './compose.js';
import { isNo, yamlValue, type Answers, type Preset } from './preset.js';

const IMAGE = /gamevault-backend/;
const usesPostgres = (a: Answers) => a.engine === 'postgres';

export const gamevault: Preset = {
  name: 'gamevault',
  title: 'GameVault',
  docs: ['https://gamevau.lt/docs/server-docs/backup-and-restore', 'https://gamevau.lt/docs/server-docs/configuration'],
  questions: [
    ...commonQuestions('gamevault', containerOf(IMAGE, 'gamevault-backend')),
    { key: 'engine', ask: 'Database engine', choices: ['postgres', 'sqlite'], suggest: (app) => ((serviceByImage(app, IMAGE)?.environment.DB_SYSTEM ?? app.env.DB_SYSTEM ?? 'POSTGRESQL').toUpperCase() === 'SQLITE' ? 'sqlite' : 'postgres') },
    { key: 'media', ask: 'The media folder (mounted at /media)', suggest: mountedAt(IMAGE, '/media', 'media') },
    { key: 'sqlite-file', ask: 'The SQLite database file (in the folder mounted at /db)', suggest: (app) => `${mountedAt(IMAGE, '/db', 'db')(app)}/database.sqlite`, when: (a) => !usesPostgres(a) },
    ...postgresQuestions(
      {
        container: containerOf(/^postgres|\/postgres/, 'gamevault-db'),
        user: (app) => serviceByImage(app, IMAGE)?.environment.DB_USERNAME ?? 'gamevault',
        database: (app) => serviceByImage(app, IMAGE)?.environment.DB_DATABASE ?? 'gamevault',
      },
      usesPostgres,
    ),
    { key: 'app-url', ask: 'GameVault URL for the version and the health check ("no": none)', suggest: () => 'http://localhost:8080' },
  ],
  render(a) {
    const url = isNo(a['app-url']) ? undefined : a['app-url']!.replace(/\/+$/, '');
    const db = usesPostgres(a)
      ? postgresSource(a, 'db', '')
      : `  - name: db\n    type: sqlite\n    path: ${yamlValue(a['sqlite-file']!)}\n`;
    return `${header('GameVault', 'gamevault', this.docs, [
      `Engine: ${a.engine}. Never restore a backup onto the other engine: restorable refuses an artifact`,
      'of another source type, and the version below refuses another GameVault version.',
      'Your games folder (/files) is your own library: back it up separately, or add a files source.',
    ])}
name: ${yamlValue(a.name!)}
${url ? `app:\n  # /api/status answers {"status": ..., "version": ...}.\n  version_from: {http: {url: ${yamlValue(`${url}/api/status`)}, json: version}}\n` : ''}sources:
${db}  - name: media
    type: files
    path: ${yamlValue(a.media!)}
    after: [db]
${targetBlock(a)}restore:
  healthchecks:
    - {name: users, source: db, sql: "select count(*) from gamevault_user", expect: {min: 1}}
${url ? `    - {name: status, http: {url: ${yamlValue(`${url}/api/status`)}}, retries: 30, interval: 2s}\n` : ''}${restoreHooks(a, 'GameVault must not write while its database is swapped.')}`;
  },
  todo: (a) => [
    ...(usesPostgres(a) && isNo(a['db-exec']) ? ['export PGPASSWORD (DB_PASSWORD) wherever restorable runs'] : []),
    'add a second and an offsite target, then set policy.rule: 3-2-1',
  ],
};
