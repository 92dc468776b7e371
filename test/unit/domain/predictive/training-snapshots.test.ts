import { describe, expect, it } from 'vitest';
import { labelFor, snapshotDue, splitByTime } from '#shared/domain/predictive/training-snapshots.ts';

const at = (iso: string) => new Date(iso);

describe('churn snapshots', () => {
  it('are due weekly per profile', () => {
    expect(snapshotDue(undefined, at('2026-11-23T04:00:00Z'))).toBe(true);
    expect(snapshotDue('2026-11-17T04:00:00Z', at('2026-11-23T04:00:00Z'))).toBe(false);
    expect(snapshotDue('2026-11-16T04:00:00Z', at('2026-11-23T04:00:00Z'))).toBe(true);
  });

  it('are labelled once their churn window has passed: churned when the last activity is still before the snapshot', () => {
    const snapshot = { at: '2026-10-01T04:00:00Z' };
    expect(labelFor(snapshot, '2026-09-30T12:00:00Z', at('2026-10-30T04:00:00Z'), 30)).toBeUndefined(); // window not over
    expect(labelFor(snapshot, '2026-09-30T12:00:00Z', at('2026-10-31T04:00:00Z'), 30)).toBe(1);
    expect(labelFor(snapshot, '2026-10-12T09:00:00Z', at('2026-10-31T04:00:00Z'), 30)).toBe(0);
    expect(labelFor(snapshot, undefined, at('2026-10-31T04:00:00Z'), 30)).toBe(1);
  });

  it('split by time: the newest quarter of the snapshot days is the holdout', () => {
    const snapshots = ['2026-09-01', '2026-09-08', '2026-09-15', '2026-09-22'].flatMap((day) => [{ at: `${day}T04:00:00Z`, id: `${day}-a` }, { at: `${day}T04:00:00Z`, id: `${day}-b` }]);
    const { train, holdout, holdoutFrom } = splitByTime(snapshots);
    expect(holdoutFrom).toBe('2026-09-22');
    expect(holdout.map((s) => s.id)).toEqual(['2026-09-22-a', '2026-09-22-b']);
    expect(train).toHaveLength(6);
    expect(splitByTime([{ at: '2026-09-01T04:00:00Z' }]).holdout).toEqual([]);
  });
});
