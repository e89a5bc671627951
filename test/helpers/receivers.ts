/**
 * Real servers that receive what restorable sends: an HTTP server on
 * 127.0.0.1 that keeps every request (webhooks, pings) and answers with the
 * status a test picks per path, and a real SMTP server (smtp-server, by
 * nodemailer's author) that keeps every mail. Everything received is logged
 * for the suite's secret scan (leaks.ts).
 */
import { execFileSync } from 'node:child_process';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { recordSent } from './leaks.js';
import { freePort, requireService } from './net.js';

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpReceiver {
  url: string;
  requests: Received[];
  /** Requests to paths starting with `prefix` get this status. */
  answer(prefix: string, status: number): void;
  close(): Promise<void>;
}

export async function startHttpReceiver(): Promise<HttpReceiver> {
  const requests: Received[] = [];
  const answers: [string, number][] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(received);
      recordSent(`HTTP ${received.method} ${received.path}`, received.body);
      const status = answers.find(([prefix]) => received.path.startsWith(prefix))?.[1] ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'OK' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer: (prefix, status) => answers.unshift([prefix, status]),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface Mail {
  from: string;
  to: string[];
  /** The whole message as received (headers and body). */
  raw: string;
  user: string | undefined;
  secure: boolean;
}

export interface SmtpReceiver {
  port: number;
  /** PEM of the self-signed certificate the server presents (the plan's ca_file). */
  caFile: string;
  mails: Mail[];
  close(): Promise<void>;
}

/** A real SMTP server with STARTTLS (a throwaway certificate made with openssl) and AUTH PLAIN/LOGIN checked against `password`. */
export async function startSmtp(options: { user: string; password: string }): Promise<SmtpReceiver> {
  const dir = mkdtempSync(join(tmpdir(), 'restorable-smtp-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  } catch {
    requireService('openssl', false, 'apt-get install openssl');
  }
  const mails: Mail[] = [];
  const server = new SMTPServer({
    key: readFileSync(key),
    cert: readFileSync(cert),
    authOptional: false,
    // No AUTH before STARTTLS: what the client's `starttls` must cope with.
    allowInsecureAuth: false,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === options.user && auth.password === options.password) callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw, user: session.user as string | undefined, secure: session.secure });
        recordSent('mail', raw);
        callback();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port,
    caFile: cert,
    mails,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
