/** One HTTP request of a notifier, with a timeout; anything but 2xx is an error that says what came back (never the URL: it may hold a token). */
import { reason } from '../errors.js';

export class HttpStatusError extends Error {}

export async function send(url: string, init: { method: 'POST' | 'GET'; body?: string; contentType?: string; headers?: Record<string, string>; timeoutMs: number }): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method,
      headers: { 'user-agent': 'restorable', ...(init.contentType ? { 'content-type': init.contentType } : {}), ...init.headers },
      ...(init.body !== undefined && init.method === 'POST' ? { body: init.body } : {}),
      signal: AbortSignal.timeout(init.timeoutMs),
      redirect: 'follow',
    });
  } catch (error) {
    // fetch says only "fetch failed"; the cause says why (ECONNREFUSED, a TLS error...).
    const cause = (error as Error).cause;
    const why = (error as Error).name === 'TimeoutError' ? `no answer within ${init.timeoutMs / 1000}s` : cause ? reason(cause) : reason(error);
    throw new Error(`${new URL(url).host}: ${why}`);
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) throw new HttpStatusError(`${new URL(url).host} answered HTTP ${response.status}${text ? `: ${text.slice(0, 200).trim()}` : ''}`);
}
