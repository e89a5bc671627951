/**
 * The email notifier, over SMTP with nodemailer (a maintained client that
 * gets STARTTLS, AUTH and the quirks of real servers right, which a
 * hand-written SMTP client would not). `starttls` refuses a server that does
 * not offer STARTTLS rather than sending the password in clear.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type nodemailer from 'nodemailer';
import type { EmailConfig } from './config.js';
import { reportText, type RunReport } from './report.js';

export async function sendEmail(config: EmailConfig, report: RunReport, planDir: string): Promise<void> {
  const { smtp } = config;
  const ca = smtp.ca_file ? await readFile(resolve(planDir, smtp.ca_file), 'utf8') : undefined;
  // Loaded only when a mail goes out: every other command start would parse its 470 KB.
  const { createTransport }: typeof nodemailer = (await import('nodemailer')).default;
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port ?? (smtp.security === 'tls' ? 465 : smtp.security === 'starttls' ? 587 : 25),
    secure: smtp.security === 'tls',
    requireTLS: smtp.security === 'starttls',
    ignoreTLS: smtp.security === 'none',
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
    ...(ca ? { tls: { ca } } : {}),
    connectionTimeout: config.timeout,
    greetingTimeout: config.timeout,
    socketTimeout: config.timeout,
  });
  try {
    await transport.sendMail({ from: config.from, to: config.to, subject: report.title, text: reportText(report) });
  } finally {
    transport.close();
  }
}
