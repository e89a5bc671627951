/**
 * Golden decisions of plan-wide retention (src/retention/plan-wide.ts): one
 * verdict per backup for all targets, the newest drilled-and-passed backup
 * never removed, backups that met the copy rule preferred, and a kept backup
 * a target lacks reported there.
 */
import { describe, expect, it } from 'vitest';
import { decidePlanRetention, type PlanBackup } from '../../src/retention/plan-wide.js';

const ALL = ['nas', 'usb', 'cloud'];

/** A backup at a UTC day and hour ("05-03T02"), on all targets and meeting the rule unless told otherwise. */
function b(when: string, extra: Partial<PlanBackup> = {}): PlanBackup {
  return { id: when, time: new Date(`2024-${when}:00:00Z`), holders: ALL, copies: ALL, met: true, ...extra };
}

const golden = (decisions: ReturnType<typeof decidePlanRetention>) => decisions.map((d) => [d.id, d.keep ? 'keep' : 'remove', d.reasons.join('; '), ...(d.missing.length ? [`missing ${d.missing.join(',')}`] : [])]);

describe('decidePlanRetention', () => {
  it("the issue's case: the drilled backup is kept everywhere, the one short of 3-2-1 goes, a lacking target is named", () => {
    const backups = [
      b('05-05T02'),
      b('05-05T01', { met: false, holders: ['nas', 'usb'], copies: ['nas', 'usb'] }),
      b('05-04T02', { holders: ['nas', 'cloud'] }),
      b('05-01T02', { drill: { ok: true, at: '2024-05-02T00:00:00Z' } }),
      b('04-20T02', { drill: { ok: true, at: '2024-04-21T00:00:00Z' } }),
      b('04-10T02', { drill: { ok: false, at: '2024-05-03T00:00:00Z' } }),
    ];
    expect(golden(decidePlanRetention(backups, { keep_last: 2 }))).toEqual([
      ['05-05T02', 'keep', 'last 2; newest backup'],
      ['05-05T01', 'remove', ''],
      ['05-04T02', 'keep', 'last 2', 'missing usb'],
      ['05-01T02', 'keep', 'newest backup that passed a drill'],
      ['04-20T02', 'remove', ''],
      ['04-10T02', 'remove', ''],
    ]);
  });

  it('backups short of the copy rule and newer than every one that met it are kept, bounded by the same policy', () => {
    const backups = [b('05-05T03', { met: false }), b('05-05T02', { met: false }), b('05-05T01', { met: false }), b('05-04T01'), b('05-03T01')];
    expect(golden(decidePlanRetention(backups, { keep_last: 2 }))).toEqual([
      ['05-05T03', 'keep', 'last 2 (newer than every backup that met the copy rule); newest backup (newer than every backup that met the copy rule)'],
      ['05-05T02', 'keep', 'last 2 (newer than every backup that met the copy rule)'],
      ['05-05T01', 'remove', ''],
      ['05-04T01', 'keep', 'last 2; newest backup'],
      ['05-03T01', 'keep', 'last 2'],
    ]);
  });

  it('buckets are filled by backups that met the rule: an unmet newer one in the same day does not take the slot', () => {
    const backups = [b('05-04T02'), b('05-03T23', { met: false }), b('05-03T01'), b('05-02T01')];
    expect(golden(decidePlanRetention(backups, { keep_daily: 2 }))).toEqual([
      ['05-04T02', 'keep', 'daily 2024-05-04; newest backup'],
      ['05-03T23', 'remove', ''],
      ['05-03T01', 'keep', 'daily 2024-05-03'],
      ['05-02T01', 'remove', ''],
    ]);
  });

  it('when no backup met the rule, the policy runs over all of them; a protected one is always kept', () => {
    const backups = [b('05-03T01', { met: false }), b('05-02T01', { met: false }), b('05-01T01', { met: false })];
    expect(golden(decidePlanRetention(backups, { keep_last: 1 }, { protect: ['05-01T01'] }))).toEqual([
      ['05-03T01', 'keep', 'last 1; newest backup'],
      ['05-02T01', 'remove', ''],
      ['05-01T01', 'keep', 'protected'],
    ]);
    // Older than a backup that met it, and protected (the backup being made): still kept.
    expect(golden(decidePlanRetention([b('05-03T01'), b('05-02T01', { met: false })], { keep_last: 1 }, { protect: ['05-02T01'] }))).toEqual([
      ['05-03T01', 'keep', 'last 1; newest backup'],
      ['05-02T01', 'keep', 'protected'],
    ]);
  });

  it('a failed drill protects nothing; the newest passed one is kept even when newer ones failed theirs', () => {
    const backups = [b('05-03T01', { drill: { ok: false, at: '2024-05-04T00:00:00Z' } }), b('05-02T01', { drill: { ok: false, at: '2024-05-04T00:00:00Z' } }), b('05-01T01', { drill: { ok: true, at: '2024-05-01T05:00:00Z' } })];
    expect(golden(decidePlanRetention(backups, { keep_last: 1 }))).toEqual([
      ['05-03T01', 'keep', 'last 1; newest backup'],
      ['05-02T01', 'remove', ''],
      ['05-01T01', 'keep', 'newest backup that passed a drill'],
    ]);
  });

  it('no policy keeps everything, and still names what a target lacks', () => {
    const backups = [b('05-02T01', { holders: ['nas'] }), b('05-01T01', { met: false })];
    expect(golden(decidePlanRetention(backups, undefined))).toEqual([
      ['05-02T01', 'keep', 'no retention policy', 'missing usb,cloud'],
      ['05-01T01', 'keep', 'no retention policy'],
    ]);
    expect(decidePlanRetention([], { keep_last: 1 })).toEqual([]);
  });
});

describe('damaged copies', () => {
  it('a target whose copy of the newest backup is damaged keeps its newest readable one; it is removed elsewhere', () => {
    const backups = [b('05-03T01', { holders: ['usb', 'cloud'], damaged: ['nas'] }), b('05-02T01'), b('05-01T01')];
    const decisions = decidePlanRetention(backups, { keep_last: 1 });
    expect(golden(decisions)).toEqual([
      ['05-03T01', 'keep', 'last 1; newest backup', 'missing nas'],
      ['05-02T01', 'remove', 'kept on nas only: the newest readable copy there (a newer copy\'s manifest is damaged)'],
      ['05-01T01', 'remove', ''],
    ]);
    expect(decisions.map((d) => d.spareOn)).toEqual([[], ['nas'], []]);
  });

  it('a backup whose every copy is damaged is not counted: it takes no slot of the policy', () => {
    const backups = [b('05-03T01', { holders: [], damaged: ALL }), b('05-02T01'), b('05-01T01')];
    expect(golden(decidePlanRetention(backups, { keep_last: 1 }))).toEqual([
      ['05-02T01', 'keep', 'last 1; newest backup'],
      ['05-01T01', 'remove', ''],
    ]);
  });
});
