import { spawn } from 'node:child_process';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { spawnFedReader } from '../../src/util/spawn.js';

describe('spawnFedReader', () => {
  it('a producer child writes straight into the command: the output is the command applied to every byte, then EOF', async () => {
    let producer: ReturnType<typeof spawn> | undefined;
    const out = spawnFedReader('tr', ['a-z', 'A-Z'], 'upper-casing', (stdin) => {
      producer = spawn('sh', ['-c', 'i=0; while [ $i -lt 2000 ]; do echo "line $i of the dump"; i=$((i+1)); done'], { stdio: ['ignore', stdin, 'ignore'] });
    });
    const text = (await buffer(out)).toString();
    expect(text.split('\n')).toHaveLength(2001);
    expect(text.startsWith('LINE 0 OF THE DUMP\nLINE 1 OF THE DUMP\n')).toBe(true);
    expect(producer?.pid).toBeGreaterThan(0);
  });

  it('fails with the command\'s exit status when the command fails', async () => {
    const out = spawnFedReader('sh', ['-c', 'cat >/dev/null; echo broken >&2; exit 3'], 'a failing step', (stdin) => {
      spawn('echo', ['x'], { stdio: ['ignore', stdin, 'ignore'] });
    });
    await expect(buffer(out)).rejects.toThrow(/a failing step: sh failed \(exit 3\): broken/);
  });
});
