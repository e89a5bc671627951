/**
 * The status page (`status --html`) rendered by headless Chromium: it shows
 * the plan's figures, fits a phone, and makes no request at all (the page's
 * own requests, from the DevTools protocol; a control page proves one is
 * seen when a page makes it).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPage } from '../helpers/chromium.js';
import { ROOT, json, runCli } from '../helpers/cli.js';
import { recordSent } from '../helpers/leaks.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';

describe('status --html', () => {
  let ws: Workspace;
  const cli = (...args: string[]) => runCli([...args, '--plan', ws.plan], { env: { RESTORABLE_STATE_DIR: join(ws.dir, 'state') } });
  beforeAll(() => {
    ws = makeWorkspace({ assets: 4 });
    ws.writePlan({ ...basePlan(ws.dir), objectives: { rpo: '26h', rto: '30m', drill_max_age: '8d' } });
  });
  afterAll(() => ws.cleanup());

  it('one self-contained file with the backups, copies, drills and objectives; Chromium renders it without a request', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(json<{ id: string }>(await cli('backup', '--json')).id);
    expect((await cli('drill')).code).toBe(0);
    const page = join(ws.dir, 'status.html');
    const status = await cli('status', '--json', '--html', page);
    expect(status.code, status.stderr).toBe(0);
    const data = json<{ drill: { duration_seconds: number }; backups: { id: string; bytes: number }[] }>(status);
    const html = readFileSync(page, 'utf8');
    recordSent('status page', html);
    // Nothing to fetch: no script, no link, no URL but the CSP's own words.
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(|https?:\/\//i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);

    const shot = join(ws.dir, 'status.png');
    const rendered = await loadPage(page, { screenshot: shot, width: 412 });
    expect(rendered.requests).toEqual([]);
    const dom = rendered.dom;
    expect(dom).toContain('<h1>restorable: testapp</h1>');
    expect(dom).toMatch(/<div class="verdict ok" id="verdict">Objectives met<\/div>/);
    for (const id of ids) expect(dom).toContain(id);
    // Charts: one bar per backup (size, duration), one per drill, each with its figures as a tooltip.
    expect(dom.match(/<rect [^>]*class="bar"/g)?.length).toBe(3 + 3 + 1);
    const newest = data.backups[0]!;
    expect(dom).toContain(`<title>${newest.id}: `);
    // Copies per target: a tick for each of the three targets on every backup.
    expect(dom.match(/<td class="ok">✓<\/td>/g)?.length).toBe(9);
    expect(dom).toMatch(/<td>rto<\/td><td class="ok">met<\/td><td>30m<\/td>/);
    expect(dom).toMatch(/<td class="ok">passed<\/td><td>\d+(\.\d)?s<\/td><td>nas<\/td>/);

    // The screenshot: a PNG of a phone-wide page.
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
    expect(readFileSync(shot).readUInt32BE(16)).toBe(412);
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    const kept = join(ROOT, '.cache', 'screenshots');
    mkdirSync(kept, { recursive: true });
    copyFileSync(shot, join(kept, 'status-page.png'));
  });

  it('a page that makes a request is caught (the check above could fail)', async () => {
    const page = join(ws.dir, 'leaky.html');
    writeFileSync(page, '<!doctype html><html><body><img src="http://status.example.invalid/pixel.png"></body></html>');
    const rendered = await loadPage(page);
    expect(rendered.requests.some((r) => r.includes('status.example.invalid'))).toBe(true);
  });

  it('a missed objective is the page\'s headline', async () => {
    const page = join(ws.dir, 'stale.html');
    // A target whose path holds a secret and cannot be read: its error (which names the path) is on the page, masked.
    const secret = 'status-page-secret-77d0c3';
    const plan = basePlan(ws.dir) as { targets: Record<string, unknown>[] };
    plan.targets.push({ name: 'gone', type: 'local', path: join(ws.dir, 'gone-${GONE_SECRET}') });
    writeFileSync(join(ws.dir, `gone-${secret}`), 'a file where a folder should be');
    ws.writePlan({ ...plan, objectives: { rpo: '1s' } });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const status = await runCli(['status', '--html', page, '--plan', ws.plan], { env: { GONE_SECRET: secret } });
    const html = readFileSync(page, 'utf8');
    recordSent('status page', html);
    expect(html).toMatch(/gone: <span class="bad">unreachable<\/span> \([^)]*\*\*\*/);
    expect(html).not.toContain(secret);
    expect(status.code).toBe(10);
    expect(existsSync(page)).toBe(true);
    const rendered = await loadPage(page);
    expect(rendered.dom).toMatch(/<div class="verdict bad" id="verdict">Objectives NOT met: newest good backup is \d+s old \(RPO 1s\)<\/div>/);
  });
});
