/** Libraries that print on their own (console.*) go through the redactor too. */
import { format } from 'node:util';
import type { Secrets } from './secrets.js';

/** Routes console.* through `secrets.redact`; returns a function that puts console back. */
export function redactConsole(secrets: Secrets): () => void {
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const saved = methods.map((m) => console[m]);
  for (const [index, m] of methods.entries()) {
    const original = saved[index]!;
    console[m] = (...args: unknown[]) => original(secrets.redact(format(...args)));
  }
  return () => methods.forEach((m, index) => (console[m] = saved[index]!));
}
