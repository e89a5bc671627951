/** The Prometheus text format as restorable writes and reads it back: escaping, order, the merge that keeps other series. */
import { describe, expect, it } from 'vitest';
import { FAMILIES } from '../../src/metrics/families.js';
import { mergeSeries } from '../../src/metrics/publish.js';
import { parse, render, type Sample } from '../../src/metrics/prometheus.js';
import { promtoolCheck } from '../helpers/pushgateway.js';

describe('prometheus text', () => {
  it('escapes label values (backslash, quote, newline) so they read back as written, and promtool accepts it', async () => {
    const odd = 'a "quoted" \\ back\nslash';
    const samples: Sample[] = [
      { name: 'restorable_backup_bytes', labels: { plan: 'p', source: odd }, value: 1234 },
      { name: 'restorable_runs_total', labels: { plan: 'p', command: 'backup', result: 'success' }, value: 3 },
    ];
    const text = render(FAMILIES, samples);
    expect(text).toContain('source="a \\"quoted\\" \\\\ back\\nslash"');
    expect(parse(text)).toEqual(expect.arrayContaining(samples));
    const check = await promtoolCheck(text);
    expect(check).toMatchObject({ code: 0, output: '' });
  });

  it('merging replaces only the series this run wrote (and keeps only restorable\'s own names)', () => {
    const before: Sample[] = [
      { name: 'restorable_last_run_success', labels: { command: 'backup' }, value: 1 },
      { name: 'restorable_last_run_success', labels: { command: 'drill' }, value: 1 },
      { name: 'some_other_metric', labels: {}, value: 7 },
    ];
    const merged = mergeSeries(before, [{ name: 'restorable_last_run_success', labels: { command: 'drill' }, value: 0 }]);
    expect(merged).toEqual([
      { name: 'restorable_last_run_success', labels: { command: 'backup' }, value: 1 },
      { name: 'restorable_last_run_success', labels: { command: 'drill' }, value: 0 },
    ]);
  });
});
