/**
 * Webhook bodies in the shapes the common services document:
 * - json: the RunReport itself (report.ts), for your own receiver;
 * - slack: an incoming webhook, `text` (the notification's fallback) plus
 *   Block Kit `blocks` (a header and a mrkdwn section); `&`, `<`, `>` escaped,
 *   as Slack reads `<!channel>` as markup;
 * - discord: execute-webhook, `content` (up to 2000 characters) and one embed
 *   (title up to 256, description up to 4096, up to 25 fields);
 * - gotify: POST /message?token=..., `{title, message, priority}`;
 * - ntfy: publish as JSON, posted to the server's root URL with `topic` taken
 *   from the last path segment of the URL the plan gives (https://ntfy.sh/mytopic);
 *   priority 1-5, tags (emoji short codes);
 * - teams: a Workflows ("When a Teams webhook request is received") message
 *   with one Adaptive Card attachment (TextBlocks and a FactSet).
 */
import type { WebhookFormat } from './config.js';
import { reportFacts, type RunReport } from './report.js';

export interface HttpRequest {
  url: string;
  body: string;
  contentType: string;
}

const bad = (report: RunReport) => !report.ok;
const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
const slackEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function slack(report: RunReport): unknown {
  const facts = reportFacts(report).map(([k, v]) => `*${slackEscape(k)}:* ${slackEscape(v)}`).join('\n');
  return {
    text: slackEscape(report.title),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(report.title, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: clip(slackEscape(report.message), 3000) } },
      { type: 'section', text: { type: 'mrkdwn', text: clip(facts, 3000) } },
    ],
  };
}

function discord(report: RunReport): unknown {
  return {
    content: clip(report.title, 2000),
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title: clip(report.title, 256),
        description: clip(report.message, 4096),
        // red, green
        color: bad(report) ? 0xd1242f : 0x1a7f37,
        timestamp: report.time,
        fields: reportFacts(report).slice(0, 25).map(([name, value]) => ({ name: clip(name, 256), value: clip(value, 1024), inline: true })),
        ...(report.github_run_url ? { url: report.github_run_url } : {}),
      },
    ],
  };
}

function gotify(report: RunReport): unknown {
  const facts = reportFacts(report).map(([k, v]) => `${k}: ${v}`).join('\n');
  return { title: report.title, message: `${report.message}\n\n${facts}`, priority: bad(report) ? 8 : 4 };
}

/** ntfy's JSON publishing goes to the root URL; the plan's URL names the topic, as it does for a plain publish. */
function ntfy(report: RunReport, url: string): HttpRequest {
  const parsed = new URL(url);
  const parts = parsed.pathname.split('/').filter(Boolean);
  const topic = parts.pop() ?? '';
  parsed.pathname = `/${parts.join('/')}`;
  const facts = reportFacts(report).map(([k, v]) => `${k}: ${v}`).join('\n');
  const body = {
    topic,
    title: report.title,
    message: `${report.message}\n\n${facts}`,
    priority: bad(report) ? 5 : 3,
    tags: [bad(report) ? 'rotating_light' : 'white_check_mark', 'restorable'],
    ...(report.github_run_url ? { click: report.github_run_url } : {}),
  };
  return { url: parsed.toString(), body: JSON.stringify(body), contentType: 'application/json' };
}

function teams(report: RunReport): unknown {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: report.title, weight: 'Bolder', size: 'Medium', wrap: true, color: bad(report) ? 'Attention' : 'Good' },
            { type: 'TextBlock', text: report.message, wrap: true },
            { type: 'FactSet', facts: reportFacts(report).map(([title, value]) => ({ title, value })) },
          ],
        },
      },
    ],
  };
}

export function webhookRequest(format: WebhookFormat, url: string, report: RunReport): HttpRequest {
  const json = (body: unknown): HttpRequest => ({ url, body: JSON.stringify(body), contentType: 'application/json' });
  switch (format) {
    case 'json':
      return json(report);
    case 'slack':
      return json(slack(report));
    case 'discord':
      return json(discord(report));
    case 'gotify':
      return json(gotify(report));
    case 'ntfy':
      return ntfy(report, url);
    case 'teams':
      return json(teams(report));
  }
}
