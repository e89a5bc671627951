/**
 * A real Prometheus Pushgateway (Debian's prometheus-pushgateway) on
 * 127.0.0.1, in memory (Debian's default persistence file turned off), stopped by its pid.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { recordSent } from './leaks.js';
import { freePort, requireService, waitForPort } from './net.js';

const BIN = '/usr/bin/prometheus-pushgateway';

export interface Pushgateway {
  url: string;
  /** What the gateway serves on /metrics (logged for the leak scan). */
  metrics(): Promise<string>;
  close(): Promise<void>;
}

export async function startPushgateway(): Promise<Pushgateway> {
  requireService(`prometheus-pushgateway (${BIN})`, existsSync(BIN), 'apt-get install prometheus-pushgateway');
  const port = await freePort();
  // Debian's build persists to /var/lib/prometheus/pushgateway.data by default: in memory only, or runs would share counters.
  const child = spawn(BIN, [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file=', '--log.level=warn'], { stdio: 'ignore' });
  await waitForPort(port, 30_000, () => child.exitCode === null);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    metrics: async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      recordSent('pushgateway /metrics', text);
      return text;
    },
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** `promtool check metrics` (Debian's prometheus package) on a metrics text: its exit code and what it said. */
export async function promtoolCheck(text: string): Promise<{ code: number; output: string }> {
  const bin = '/usr/bin/promtool';
  requireService(`promtool (${bin})`, existsSync(bin), 'apt-get install prometheus');
  const child = spawn(bin, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  child.stdin.end(text);
  const [code] = (await once(child, 'exit')) as [number];
  return { code, output };
}
