/**
 * The copy rule as arithmetic. The live data always counts as one copy, on
 * disk, on site, never immutable; the targets add to it.
 */
import { describe, expect, it } from 'vitest';
import { type Copy, evaluate, requirement, ruleName } from '../../src/plan/policy.js';

const disk = (target: string): Copy => ({ target, medium: 'disk', offsite: false, immutable: false });
const cloudDrive = (target: string): Copy => ({ target, medium: 'cloud-drive', offsite: true, immutable: false });
const lockedBucket = (target: string): Copy => ({ target, medium: 'object', offsite: true, immutable: true });

describe('requirement', () => {
  it('spells out the named rules', () => {
    expect(requirement('3-2-1')).toEqual({ copies: 3, media: 2, offsite: 1, immutable: 0 });
    expect(requirement('3-2-1-1-0')).toEqual({ copies: 3, media: 2, offsite: 1, immutable: 1 });
  });

  it('passes explicit counts through', () => {
    const counts = { copies: 4, media: 3, offsite: 2, immutable: 1 };
    expect(requirement(counts)).toEqual(counts);
  });

  it('names rules for messages', () => {
    expect(ruleName('3-2-1')).toBe('3-2-1');
    expect(ruleName({ copies: 2, media: 1, offsite: 0, immutable: 0 })).toBe('2 copies, 1 media, 0 offsite');
    expect(ruleName({ copies: 3, media: 2, offsite: 1, immutable: 1 })).toBe('3 copies, 2 media, 1 offsite, 1 immutable');
  });
});

describe('evaluate', () => {
  it('3-2-1 with the live data and two disk targets fails on media and offsite', () => {
    const verdict = evaluate('3-2-1', [disk('nas'), disk('usb')]);
    expect(verdict.met).toBe(false);
    expect(verdict.have).toEqual({ copies: 3, media: 1, offsite: 0, immutable: 0 });
    expect(verdict.missing).toEqual(['1 of 2 kinds of media (disk, removable-disk, object, cloud-drive...)', '0 of 1 offsite copies']);
  });

  it('3-2-1 with a NAS, a USB disk declared removable-disk and an offsite SFTP box (all disks) passes, honestly declared', () => {
    const usb: Copy = { target: 'usb', medium: 'removable-disk', offsite: false, immutable: false };
    const box: Copy = { target: 'box', medium: 'disk', offsite: true, immutable: false };
    expect(evaluate('3-2-1', [disk('nas'), box]).met).toBe(false);
    const verdict = evaluate('3-2-1', [disk('nas'), usb, box]);
    expect(verdict.have).toEqual({ copies: 4, media: 2, offsite: 1, immutable: 0 });
    expect(verdict.met).toBe(true);
  });

  it('3-2-1 with the live data, one disk and an offsite cloud drive passes', () => {
    const verdict = evaluate('3-2-1', [disk('nas'), cloudDrive('dropbox')]);
    expect(verdict).toEqual({
      required: { copies: 3, media: 2, offsite: 1, immutable: 0 },
      have: { copies: 3, media: 2, offsite: 1, immutable: 0 },
      met: true,
      missing: [],
    });
  });

  it('counts the live data as one copy: a single target is 2 of 3 copies', () => {
    const verdict = evaluate('3-2-1', [cloudDrive('dropbox')]);
    expect(verdict.missing).toEqual(['2 of 3 copies (the live data counts as one)']);
    expect(evaluate('3-2-1', []).missing).toEqual([
      '1 of 3 copies (the live data counts as one)',
      '1 of 2 kinds of media (disk, removable-disk, object, cloud-drive...)',
      '0 of 1 offsite copies',
    ]);
  });

  it('3-2-1-1-0 needs an immutable copy on top of 3-2-1', () => {
    const withoutLock = evaluate('3-2-1-1-0', [disk('nas'), cloudDrive('dropbox')]);
    expect(withoutLock.met).toBe(false);
    expect(withoutLock.missing).toEqual(['0 of 1 immutable copies']);

    const withLock = evaluate('3-2-1-1-0', [disk('nas'), lockedBucket('b2-locked')]);
    expect(withLock.met).toBe(true);
    expect(withLock.have.immutable).toBe(1);
  });

  it('counts media kinds, not targets: two cloud drives are one kind besides disk', () => {
    const verdict = evaluate({ copies: 3, media: 3, offsite: 2, immutable: 0 }, [cloudDrive('a'), cloudDrive('b')]);
    expect(verdict.have).toEqual({ copies: 3, media: 2, offsite: 2, immutable: 0 });
    expect(verdict.missing).toEqual(['2 of 3 kinds of media (disk, removable-disk, object, cloud-drive...)']);
  });

  it('applies explicit counts, including lower ones than 3-2-1', () => {
    expect(evaluate({ copies: 2, media: 1, offsite: 0, immutable: 0 }, [disk('usb')]).met).toBe(true);
    expect(evaluate({ copies: 2, media: 1, offsite: 0, immutable: 0 }, []).missing).toEqual(['1 of 2 copies (the live data counts as one)']);

    const strict = evaluate({ copies: 5, media: 3, offsite: 2, immutable: 2 }, [disk('nas'), cloudDrive('drive'), lockedBucket('s3')]);
    expect(strict.required).toEqual({ copies: 5, media: 3, offsite: 2, immutable: 2 });
    expect(strict.missing).toEqual(['4 of 5 copies (the live data counts as one)', '1 of 2 immutable copies']);
  });

  it('lists missing parts in a fixed order: copies, media, offsite, immutable', () => {
    const verdict = evaluate({ copies: 9, media: 9, offsite: 9, immutable: 9 }, []);
    expect(verdict.missing.map((m) => m.split(' ').slice(3, 4)[0])).toEqual(['copies', 'kinds', 'offsite', 'immutable']);
  });
});
