/** Hooks and checks end on time, whatever the command does with signals and background processes. */
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/util/spawn.js';

describe('runCommand timeouts', () => {
  it('a command that ignores SIGTERM is killed after the grace period', async () => {
    const started = Date.now();
    const result = await runCommand(['sh', '-c', "trap '' TERM; sleep 30"], { cwd: '/', timeoutMs: 300 });
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe('SIGKILL');
    expect(Date.now() - started).toBeLessThan(6000);
  });

  it('a command that starts something in the background is done when it exits', async () => {
    const started = Date.now();
    const result = await runCommand(['sh', '-c', 'sleep 5 & echo started'], { cwd: '/', timeoutMs: 3000 });
    expect(result).toMatchObject({ code: 0, timedOut: false });
    expect(result.stdout).toBe('started');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
