/**
 * Headless Chromium (Debian's chromium) driven over the DevTools protocol
 * (--remote-debugging-pipe: JSON messages ending in NUL on fds 3 and 4, no
 * library): load a page at a phone's size, read its DOM, take a screenshot,
 * and record every request the page itself made (Network.requestWillBeSent
 * of its own session, so Chromium's own background traffic does not count).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { requireService } from './net.js';

const BIN = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-extensions', '--no-default-browser-check', '--hide-scrollbars'];

export interface PageRun {
  dom: string;
  /** URLs the page requested, besides itself. */
  requests: string[];
}

interface Message {
  id?: number;
  method?: string;
  sessionId?: string;
  params?: Record<string, any>;
  result?: Record<string, any>;
  error?: { message: string };
}

/** Loads `file` at `width` x `height` (a phone by default); with `screenshot`, saves the whole page there as a PNG. */
export async function loadPage(file: string, options: { screenshot?: string; width?: number; height?: number } = {}): Promise<PageRun> {
  requireService(`chromium (${BIN})`, existsSync(BIN), 'apt-get install chromium');
  const profile = mkdtempSync(join(tmpdir(), 'restorable-chromium-'));
  const child = spawn(BIN, [...FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  const toBrowser = child.stdio[3] as Writable;
  const fromBrowser = child.stdio[4] as Readable;
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const pending = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  const listeners: ((m: Message) => void)[] = [];
  let buffer = '';
  fromBrowser.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    for (let end = buffer.indexOf('\0'); end >= 0; end = buffer.indexOf('\0')) {
      const message = JSON.parse(buffer.slice(0, end)) as Message;
      buffer = buffer.slice(end + 1);
      if (message.id !== undefined && pending.has(message.id)) {
        const waiter = pending.get(message.id)!;
        pending.delete(message.id);
        if (message.error) waiter.reject(new Error(message.error.message));
        else waiter.resolve(message);
      } else for (const listener of listeners) listener(message);
    }
  });
  let next = 0;
  const call = (method: string, params: Record<string, unknown> = {}, sessionId?: string) =>
    new Promise<Record<string, any>>((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve: (m) => resolve(m.result ?? {}), reject });
      toBrowser.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  try {
    const { targetId } = await call('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await call('Target.attachToTarget', { targetId, flatten: true });
    const requests: string[] = [];
    const url = `file://${file}`;
    let loaded!: () => void;
    const load = new Promise<void>((resolve) => (loaded = resolve));
    listeners.push((m) => {
      if (m.sessionId !== sessionId) return;
      if (m.method === 'Network.requestWillBeSent' && m.params!.request.url !== url) requests.push(m.params!.request.url as string);
      if (m.method === 'Page.loadEventFired') loaded();
    });
    await call('Network.enable', {}, sessionId);
    await call('Page.enable', {}, sessionId);
    await call('Emulation.setDeviceMetricsOverride', { width: options.width ?? 412, height: options.height ?? 900, deviceScaleFactor: 1, mobile: true }, sessionId);
    await call('Page.navigate', { url }, sessionId);
    await load;
    // A moment for anything the page would start after load.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const dom = (await call('Runtime.evaluate', { expression: 'document.documentElement.outerHTML', returnByValue: true }, sessionId)).result.value as string;
    if (options.screenshot) {
      const shot = await call('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true }, sessionId);
      writeFileSync(options.screenshot, Buffer.from(shot.data as string, 'base64'));
    }
    await call('Browser.close').catch(() => undefined);
    return { dom, requests };
  } catch (error) {
    throw new Error(`chromium: ${(error as Error).message}\n${stderr.slice(-2000)}`);
  } finally {
    clearTimeout(timer);
    // The browser writes its profile until it exits: wait for that before removing it.
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}
