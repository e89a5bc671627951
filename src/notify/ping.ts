/**
 * The healthchecks-style ping: start when a command starts, then success or
 * fail, with the run's last log lines as the body (healthchecks.io keeps up
 * to 100 kB of it and shows it with the ping).
 */
import type { PingConfig } from './config.js';
import { send } from './http.js';

export type PingKind = 'start' | 'success' | 'fail';

/** The URL for `kind`: the one given, else healthchecks.io's `<url>/start`, `<url>`, `<url>/fail`. */
export function pingUrl(config: PingConfig, kind: PingKind): string | undefined {
  if (config[kind]) return config[kind];
  if (!config.url) return undefined;
  if (kind === 'success') return config.url;
  const url = new URL(config.url);
  url.pathname = `${url.pathname.replace(/\/$/, '')}/${kind}`;
  return url.toString();
}

const MAX_BODY = 100_000;

export async function sendPing(config: PingConfig, kind: PingKind, log: string[]): Promise<void> {
  const url = pingUrl(config, kind);
  if (!url) return;
  let body = log.join('\n');
  if (body.length > MAX_BODY) body = body.slice(body.length - MAX_BODY);
  await send(url, { method: config.method === 'get' ? 'GET' : 'POST', body, contentType: 'text/plain; charset=utf-8', timeoutMs: config.timeout });
}
