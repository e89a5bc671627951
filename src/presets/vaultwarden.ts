/**
 * Vaultwarden with its default SQLite database. From "Backing up your vault"
 * (https://github.com/dani-garcia/vaultwarden/wiki/Backing-up-your-vault):
 * db.sqlite3 by SQLite's backup API (never a file copy of a live WAL
 * database), attachments/ and sends/, config.json (admin page settings) and
 * rsa_key* (without them every session ends); icon_cache/ is fetched again.
 */
import { commonQuestions, containerOf, header, mountedAt, restoreHooks, targetBlock } from './blocks.js';
import { isNo, yamlValue, type Preset } from './preset.js';

const IMAGE = /vaultwarden\/server|bitwardenrs/;

export const vaultwarden: Preset = {
  name: 'vaultwarden',
  title: 'Vaultwarden',
  docs: ['https://github.com/dani-garcia/vaultwarden/wiki/Backing-up-your-vault'],
  questions: [
    ...commonQuestions('vaultwarden', containerOf(IMAGE, 'vaultwarden')),
    { key: 'data', ask: 'The data folder (mounted at /data)', suggest: mountedAt(IMAGE, '/data', 'vw-data') },
    { key: 'app-url', ask: 'Vaultwarden URL for the version and the health check ("no": none)', suggest: () => 'http://localhost:80' },
  ],
  render(a) {
    const url = isNo(a['app-url']) ? undefined : a['app-url']!.replace(/\/+$/, '');
    const data = a.data!.replace(/\/+$/, '');
    return `${header('Vaultwarden', 'vaultwarden', this.docs, ['Only the SQLite setup: with MySQL or PostgreSQL, replace the db source with a postgres one.'])}
name: ${yamlValue(a.name!)}
${url ? `app:\n  # /api/version answers "1.x.y".\n  version_from: {http: {url: ${yamlValue(`${url}/api/version`)}}}\n` : ''}sources:
  - name: db
    type: sqlite
    path: ${yamlValue(`${data}/db.sqlite3`)}
  - name: data
    type: files
    path: ${yamlValue(data)}
    # Attachments, sends, the admin page's config.json and the JWT signing keys rsa_key* (lose them and
    # every session ends). The database is the db source above; icon_cache/ is fetched again.
    include: ["attachments/**", "sends/**", "config.json", "rsa_key*"]
    exclude: ["db.sqlite3*", "icon_cache/**", "tmp/**"]
${targetBlock(a)}restore:
  healthchecks:
    - {name: integrity, source: db, sql: "pragma integrity_check", expect: {equals: ok}}
    - {name: users, source: db, sql: "select count(*) from users", expect: {min: 1}}
    # Each attachment is attachments/<cipher uuid>/<attachment id>.
    - {name: attachments-present, source: db, sql: "select 'attachments/' || cipher_uuid || '/' || id from attachments", expect: {files_exist: {in: data}}}
${url ? `    - {name: alive, http: {url: ${yamlValue(`${url}/alive`)}}, retries: 30, interval: 2s}\n` : ''}${restoreHooks(a, 'Vaultwarden must not write while db.sqlite3 is swapped.')}`;
  },
  todo: () => ['add a second and an offsite target, then set policy.rule: 3-2-1', 'encrypt the backups (age_recipients): they hold config.json with the admin token'],
};
