/**
 * @actions/artifact and @actions/cache log through @actions/core, which
 * writes to stdout: the CLI's answer (--json). While they run, their lines go
 * to stderr instead, and `::debug::` lines are dropped unless RUNNER_DEBUG=1
 * (on a runner they are hidden anyway; in a terminal they are noise).
 * Several targets may be busy at once: stdout is redirected from the first
 * entry to the last exit.
 */
let depth = 0;
let original: typeof process.stdout.write | undefined;

function redirected(chunk: string | Uint8Array, ...rest: unknown[]): boolean {
  const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
  const kept = process.env.RUNNER_DEBUG === '1' ? text : text.split(/(?<=\n)/).filter((line) => !line.startsWith('::debug::')).join('');
  const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
  if (!kept) {
    callback?.();
    return true;
  }
  return process.stderr.write(kept, callback);
}

export async function chatterToStderr<T>(run: () => Promise<T>): Promise<T> {
  if (depth++ === 0) {
    original = process.stdout.write;
    process.stdout.write = redirected as typeof process.stdout.write;
  }
  try {
    return await run();
  } finally {
    if (--depth === 0 && original) process.stdout.write = original;
  }
}
