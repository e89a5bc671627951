/** The webhook notifier: one POST in the body shape of the service it is for (bodies.ts). */
import { webhookRequest } from './bodies.js';
import type { WebhookConfig } from './config.js';
import { send } from './http.js';
import type { RunReport } from './report.js';

export async function sendWebhook(config: WebhookConfig, report: RunReport): Promise<void> {
  const request = webhookRequest(config.format, config.url, report);
  await send(request.url, { method: 'POST', body: request.body, contentType: request.contentType, headers: config.headers, timeoutMs: config.timeout });
}
