/**
 * Notifications through the real CLI: a local HTTP server receives the
 * webhooks (each service's body shape checked against its documented API)
 * and pings, a real SMTP server the mail (STARTTLS, AUTH), a script the
 * command notifier's environment. Notifiers that fail (a dead port, a 500)
 * are warnings naming them; the run's exit code never changes.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { plantSecret } from '../helpers/leaks.js';
import { freePort } from '../helpers/net.js';
import { startHttpReceiver, startSmtp, type HttpReceiver, type Received, type SmtpReceiver } from '../helpers/receivers.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';

const HOOK_TOKEN = 'hook-token-5b1f0c9e7d';
const SMTP_PASSWORD = 'smtp-pass-83c1e0a9f2';
plantSecret(HOOK_TOKEN);
plantSecret(SMTP_PASSWORD);

let ws: Workspace;
let http: HttpReceiver;
beforeEach(async () => {
  ws = makeWorkspace({ assets: 4 });
  http = await startHttpReceiver();
});
afterEach(async () => {
  await http.close();
  ws.cleanup();
});

const env = () => ({ HOOK_TOKEN, SMTP_PASSWORD, RESTORABLE_STATE_DIR: join(ws.dir, 'state'), RESTORABLE_RETRY_SECONDS: '1' });
const cli = (...args: string[]) => runCli([...args, '--plan', ws.plan], { env: env() });
const withNotify = (notify: unknown[], extra: Record<string, unknown> = {}) => ws.writePlan({ ...basePlan(ws.dir), notify, ...extra });
const at = (prefix: string): Received[] => http.requests.filter((r) => r.path.startsWith(prefix));
const body = (prefix: string) => JSON.parse(at(prefix)[0]!.body) as Record<string, any>;

describe('webhooks', () => {
  it('sends each service its documented body shape, with the run in it and no secret', async () => {
    const formats = ['json', 'slack', 'discord', 'gotify', 'ntfy', 'teams'];
    withNotify(formats.map((format) => ({ type: 'webhook', format, on: ['success'], url: format === 'ntfy' ? `${http.url}/ntfy/backups-topic` : `${http.url}/${format}/\${HOOK_TOKEN}` })));
    const result = await cli('backup');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/notifier/);

    const json = body('/json/');
    expect(at('/json/')[0]!.path).toBe(`/json/${HOOK_TOKEN}`);
    expect(at('/json/')[0]!.headers['content-type']).toBe('application/json');
    expect(json).toMatchObject({ event: 'success', plan: 'testapp', command: 'backup', ok: true, exit_code: 0, copies: 3, policy_met: true, failing_step: null });
    expect(json.backup_id).toMatch(/^\d{8}T\d{6}Z-/);
    expect(json.bytes).toBeGreaterThan(0);
    expect(json.sources.map((s: { name: string }) => s.name)).toEqual(['db', 'uploads']);

    // Slack incoming webhook: text is the fallback, blocks are Block Kit (header: plain_text, section: mrkdwn).
    const slack = body('/slack/');
    expect(typeof slack.text).toBe('string');
    expect(slack.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    expect(slack.blocks[1]).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } });
    expect(slack.blocks[2].text.text).toContain(`*backup:* ${json.backup_id}`);

    // Discord execute webhook: content up to 2000 characters, embeds with title, description, integer color, fields {name, value}.
    const discord = body('/discord/');
    expect(discord.content.length).toBeLessThanOrEqual(2000);
    expect(discord.embeds[0]).toMatchObject({ title: expect.stringContaining('testapp'), color: expect.any(Number) });
    expect(discord.embeds[0].fields).toContainEqual({ name: 'backup', value: json.backup_id, inline: true });

    // Gotify POST /message: title, message, integer priority.
    const gotify = body('/gotify/');
    expect(Object.keys(gotify).sort()).toEqual(['message', 'priority', 'title']);
    expect(Number.isInteger(gotify.priority)).toBe(true);
    expect(gotify.message).toContain(json.backup_id);

    // ntfy publish-as-JSON: posted to the server's root, the topic in the body, priority 1-5.
    const ntfy = at('/');
    const toRoot = ntfy.find((r) => r.path === '/ntfy');
    expect(toRoot, http.requests.map((r) => r.path).join(', ')).toBeDefined();
    const published = JSON.parse(toRoot!.body);
    expect(published).toMatchObject({ topic: 'backups-topic', title: expect.stringContaining('backup'), priority: 3 });
    expect(published.tags).toContain('white_check_mark');

    // Teams (Workflows): a message with one Adaptive Card attachment.
    const teams = body('/teams/');
    expect(teams.type).toBe('message');
    expect(teams.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(teams.attachments[0].content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(teams.attachments[0].content.body.map((b: { type: string }) => b.type)).toEqual(['TextBlock', 'TextBlock', 'FactSet']);

    for (const r of http.requests) expect(r.body).not.toContain(HOOK_TOKEN);
    expect(result.stdout + result.stderr).not.toContain(HOOK_TOKEN);
  });

  it('a failed backup: the failure event with the error and the failing step; success-only hooks stay quiet', async () => {
    withNotify([
      { type: 'webhook', url: `${http.url}/fail` },
      { type: 'webhook', url: `${http.url}/ok`, on: ['success'] },
    ]);
    rmSync(join(ws.dir, 'app', 'uploads'), { recursive: true });
    const result = await cli('backup');
    expect(result.code).toBe(1);
    expect(at('/ok')).toEqual([]);
    const report = body('/fail');
    expect(report).toMatchObject({ event: 'failure', ok: false, exit_code: 1, command: 'backup', copies: null, backup_id: null });
    expect(report.message).toMatch(/uploads/);
    // The files source is checked before anything is written.
    expect(report.failing_step).toMatchObject({ id: 'preflight' });
    expect(report.title).toBe('restorable backup "testapp": FAILED (exit 1)');
  });

  it('a notifier on a dead port and one that answers 500: warnings name them, the exit code is the run\'s', async () => {
    const dead = await freePort();
    http.answer('/broken', 500);
    withNotify([
      { name: 'dead-hook', type: 'webhook', url: `http://127.0.0.1:${dead}/x`, on: ['success', 'failure'] },
      { name: 'broken-hook', type: 'webhook', url: `${http.url}/broken`, on: ['success', 'failure'] },
      { type: 'webhook', url: `${http.url}/fine`, on: ['success', 'failure'] },
    ]);
    const ok = await cli('backup');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/notifier "dead-hook" \(webhook\) failed: \*\*\*|notifier "dead-hook" \(webhook\) failed: .*ECONNREFUSED/);
    expect(ok.stderr).toMatch(/notifier "broken-hook" \(webhook\) failed: .*HTTP 500/);
    // Retried before giving up; the healthy one got exactly one.
    expect(at('/broken').length).toBeGreaterThan(1);
    expect(at('/fine')).toHaveLength(1);

    // A failing run keeps its own exit code and its own error, printed before the notifiers' warnings.
    rmSync(join(ws.dir, 'app', 'uploads'), { recursive: true });
    const failed = await cli('backup');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/error: .*uploads/);
    expect(failed.stderr.indexOf('error:')).toBeLessThan(failed.stderr.indexOf('"broken-hook"'));
    expect(failed.stderr).toMatch(/"dead-hook" \(webhook\) failed/);
  });

  it('policy-not-met and drill-failed: the specific events, with what fell short', async () => {
    const healthchecks = [{ name: 'many users', source: 'db', sql: 'select count(*) from users', expect: { min: 1_000_000 } }];
    withNotify([{ type: 'webhook', url: `${http.url}/hook` }], { restore: { healthchecks } });
    rmSync(ws.target('cloud'), { recursive: true });
    writeFileSync(ws.target('cloud'), 'a file where a folder should be');
    expect((await cli('backup')).code).toBe(3);
    const short = JSON.parse(at('/hook')[0]!.body);
    expect(short).toMatchObject({ event: 'policy-not-met', exit_code: 3, copies: 2, policy_met: false, title: 'restorable backup "testapp": copy policy NOT met (exit 3)' });
    expect(short.backup_id).toMatch(/^\d{8}T/);
    expect(short.message).toMatch(/0 of 1 offsite/);

    expect((await cli('drill')).code).toBe(4);
    const drill = JSON.parse(at('/hook')[1]!.body);
    expect(drill).toMatchObject({ event: 'drill-failed', command: 'drill', exit_code: 4, backup_id: short.backup_id });
    expect(drill.message).toMatch(/check many users failed: /);
  });

  it('recovered: a success after a failure of the same command', async () => {
    withNotify([{ type: 'webhook', url: `${http.url}/hook`, on: ['failure', 'recovered', 'success'] }]);
    const uploads = join(ws.dir, 'app', 'uploads');
    const hidden = join(ws.dir, 'app', 'uploads-away');
    const { renameSync } = await import('node:fs');
    renameSync(uploads, hidden);
    expect((await cli('backup')).code).toBe(1);
    renameSync(hidden, uploads);
    expect((await cli('backup')).code).toBe(0);
    expect((await cli('backup')).code).toBe(0);
    expect(at('/hook').map((r) => JSON.parse(r.body).event)).toEqual(['failure', 'recovered', 'success']);
  });
});

describe('pings', () => {
  it('healthchecks.io style: start, then success or fail, with the last log lines as the body', async () => {
    withNotify([{ type: 'ping', url: `${http.url}/ping/\${HOOK_TOKEN}` }]);
    expect((await cli('backup')).code).toBe(0);
    expect(at('/ping/').map((r) => r.path)).toEqual([`/ping/${HOOK_TOKEN}/start`, `/ping/${HOOK_TOKEN}`]);
    const success = at('/ping/')[1]!;
    expect(success.method).toBe('POST');
    expect(success.body).toMatch(/snapshot db: ok/);
    expect(success.body).toMatch(/restorable backup "testapp": ok/);

    rmSync(join(ws.dir, 'app', 'uploads'), { recursive: true });
    expect((await cli('backup')).code).toBe(1);
    const fail = at('/ping/').at(-1)!;
    expect(fail.path).toBe(`/ping/${HOOK_TOKEN}/fail`);
    expect(fail.body).toMatch(/FAILED \(exit 1\)/);
    // Not for commands it was not asked about.
    const before = http.requests.length;
    expect((await cli('verify')).code).toBe(0);
    expect(http.requests.length).toBe(before);
    for (const r of http.requests) expect(r.body).not.toContain(HOOK_TOKEN);
  });

  it('Uptime Kuma style: explicit success and fail URLs by GET', async () => {
    withNotify([{ type: 'ping', method: 'get', success: `${http.url}/api/push/tok?status=up&msg=OK`, fail: `${http.url}/api/push/tok?status=down&msg=failed`, commands: ['backup', 'verify'] }]);
    expect((await cli('backup')).code).toBe(0);
    expect((await cli('verify')).code).toBe(0);
    expect(at('/api/push/').map((r) => [r.method, r.path])).toEqual([
      ['GET', '/api/push/tok?status=up&msg=OK'],
      ['GET', '/api/push/tok?status=up&msg=OK'],
    ]);
  });
});

describe('email', () => {
  let smtp: SmtpReceiver;
  beforeAll(async () => {
    smtp = await startSmtp({ user: 'backup', password: SMTP_PASSWORD });
  });
  afterAll(() => smtp.close());

  /** The Subject header, unfolded, its RFC 2047 encoded words decoded. */
  const subjectOf = (raw: string) => {
    const header = /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(raw)?.[1] ?? '';
    return header
      .replace(/\?=\r?\n[ \t]+=\?/g, '?==?')
      .replace(/=\?UTF-8\?Q\?([^?]*)\?=/gi, (_, text: string) => text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/g, (__, hex: string) => String.fromCharCode(parseInt(hex, 16))));
  };
  const qp = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

  it('STARTTLS and AUTH to a real SMTP server: subject and body say what happened', async () => {
    withNotify([
      {
        type: 'email',
        on: ['failure'],
        smtp: { host: '127.0.0.1', port: smtp.port, security: 'starttls', user: 'backup', password: '${SMTP_PASSWORD}', ca_file: smtp.caFile },
        from: 'restorable@example.org',
        to: ['ops@example.org'],
      },
    ]);
    rmSync(join(ws.dir, 'app', 'uploads'), { recursive: true });
    const result = await cli('backup');
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(/notifier/);
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail).toMatchObject({ from: 'restorable@example.org', to: ['ops@example.org'], user: 'backup', secure: true });
    expect(subjectOf(mail.raw)).toBe('restorable backup "testapp": FAILED (exit 1)');
    const text = qp(mail.raw);
    expect(text).toMatch(/uploads/);
    expect(text).toMatch(/exit code: 1/);
    expect(text).not.toContain(SMTP_PASSWORD);
  });

  it('a wrong password is a warning naming the notifier; the backup still succeeds', async () => {
    withNotify([{ name: 'mail', type: 'email', on: ['success'], smtp: { host: '127.0.0.1', port: smtp.port, user: 'backup', password: '${WRONG_PASSWORD}', ca_file: smtp.caFile }, from: 'a@example.org', to: ['b@example.org'] }]);
    const before = smtp.mails.length;
    const result = await runCli(['backup', '--plan', ws.plan], { env: { ...env(), WRONG_PASSWORD: 'not-the-password' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/notifier "mail" \(email\) failed: .*Invalid/);
    expect(smtp.mails.length).toBe(before);
  });
});

describe('command', () => {
  it('runs the argument array with the outcome in RESTORABLE_* variables', async () => {
    const script = join(ws.dir, 'notify.mjs');
    const out = join(ws.dir, 'notified.json');
    writeFileSync(script, `import { writeFileSync } from 'node:fs';\nconst pick = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('RESTORABLE_') && k !== 'RESTORABLE_STATE_DIR' && k !== 'RESTORABLE_RETRY_SECONDS'));\nwriteFileSync(process.argv[2], JSON.stringify(pick));\n`);
    withNotify([{ type: 'command', on: ['success'], command: [process.execPath, script, out] }]);
    expect((await cli('backup')).code).toBe(0);
    const seen = JSON.parse(readFileSync(out, 'utf8')) as Record<string, string>;
    expect(seen).toMatchObject({ RESTORABLE_EVENT: 'success', RESTORABLE_PLAN: 'testapp', RESTORABLE_COMMAND: 'backup', RESTORABLE_OK: 'true', RESTORABLE_EXIT_CODE: '0' });
    expect(seen.RESTORABLE_BACKUP_ID).toMatch(/^\d{8}T/);
    expect(JSON.parse(seen.RESTORABLE_REPORT!).copies).toBe(3);
  });

  it('a command that fails is a warning; the exit code stands', async () => {
    withNotify([{ name: 'script', type: 'command', on: ['success'], command: ['sh', '-c', 'echo cannot reach pager >&2; exit 4'] }]);
    const result = await cli('backup');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/notifier "script" \(command\) failed: exit 4: cannot reach pager/);
  });
});
