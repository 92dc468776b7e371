import { describe, expect, it } from 'vitest';
import { countInRing, dayNumber, emptyRing } from '#shared/domain/activity-ring.ts';
import { applyEvent, Profile, recordQueuedSend } from '#shared/domain/profile.ts';
import {
  createSegmentExperiment,
  parseSegmentExperimentRequest,
  type SegmentExperimentReport,
  type SegmentExperimentRequestInput,
} from '#shared/domain/reports/segment-experiment.ts';
import { buildEvent } from '../../support/build-event.ts';

const NOW = new Date('2026-11-30T12:00:00Z');
const TODAY = dayNumber(NOW);

/** Detractors (NPS <= 6) against promoters (NPS >= 9): disjoint groups. */
const request = (overrides: Partial<SegmentExperimentRequestInput> = {}) =>
  parseSegmentExperimentRequest({
    name: 'promoters vs detractors',
    control: [{ metric: 'last_nps_score', op: '<=', value: 6 }],
    variant: [{ metric: 'last_nps_score', op: '>=', value: 9 }],
    ...overrides,
  });

type Activity = { sends?: number; opens?: number; clicks?: number; purchases?: number };

/** A stored profile, its activity written into the daily ring on the day before NOW. */
function customer(id: string, nps: number | undefined, activity: Activity = {}, engagement?: number): Profile {
  const day = TODAY - 1;
  let ring = emptyRing(TODAY);
  const series: Array<[string, number]> = [
    ['email_send', activity.sends ?? 0],
    ['email_open', activity.opens ?? 0],
    ['email_click', activity.clicks ?? 0],
    ['purchase', activity.purchases ?? 0],
  ];
  for (const [key, count] of series) for (let i = 0; i < count; i++) ring = countInRing(ring, [key], day);
  return Profile.parse({
    customerId: id,
    version: 1,
    consent: {},
    firstSeenAt: '2026-01-01T00:00:00Z',
    lastActivityAt: '2026-11-29T12:00:00Z',
    eventCount: 0,
    eventCounts: {},
    recentEvents: '',
    updatedAt: '2026-11-29T12:00:00Z',
    activity: ring,
    support: { openTickets: [], ratingSum: 0, ratingCount: 0, ...(nps !== undefined && { lastNpsScore: nps }) },
    scores: engagement === undefined ? {} : { engagement },
  });
}

/** `size` customers with NPS `nps`, each sent one email; the first `openers` opened it and the first `buyers` bought once. */
function population(prefix: string, nps: number, size: number, buyers: number, openers = 0): Profile[] {
  return Array.from({ length: size }, (_, i) => customer(`${prefix}-${i}`, nps, { sends: 1, opens: i < openers ? 1 : 0, purchases: i < buyers ? 1 : 0 }));
}

function run(profiles: readonly Profile[], req = request()): SegmentExperimentReport {
  const experiment = createSegmentExperiment(req, NOW);
  for (const profile of profiles) experiment.add(profile);
  return experiment.result();
}

/** Every number in the report is finite (no NaN or Infinity, which JSON would turn into null silently). */
function numbersOf(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(numbersOf);
  return [];
}

describe('segment experiment: request', () => {
  it('defaults the period to document 002\'s 14 days and keeps the conditions', () => {
    const parsed = request();
    expect(parsed.periodDays).toBe(14);
    expect(parsed.variant).toEqual([{ metric: 'last_nps_score', op: '>=', value: 9 }]);
  });

  it('rejects an unknown metric and a bad operator, naming each', () => {
    const bad = () => request({ control: [{ metric: 'purchase_cnt', op: '>=', value: 1 }], variant: [{ metric: 'purchase_count', op: '=>' as '>=', value: 1 }] });
    expect(bad).toThrow(RangeError);
    expect(bad).toThrow('control.0.metric: unknown metric "purchase_cnt"');
    expect(bad).toThrow(/variant\.0\.op: must be one of .*, got "=>"/);
  });

  it('rejects a period longer than the activity ring, giving the maximum', () => {
    expect(() => request({ periodDays: 31 })).toThrow('periodDays: must be at most 30: profiles keep daily activity for 30 days, got 31');
    expect(() => request({ periodDays: 0 })).toThrow('periodDays: must be at least 1');
    expect(() => request({ periodDays: 7.5 })).toThrow('periodDays: expected a whole number, got 7.5');
  });

  it('rejects empty criteria, ordering operators on non-numbers, unknown fields and non-objects', () => {
    expect(() => request({ control: [] })).toThrow('control: must have at least 1 item');
    expect(() => request({ variant: [{ metric: 'purchase_count', op: '>', value: 'many' }] })).toThrow('variant.0.value: operator > needs a finite number');
    expect(() => parseSegmentExperimentRequest({ ...request(), period: 7 })).toThrow('period: unknown field');
    expect(() => parseSegmentExperimentRequest(null)).toThrow('(request): expected an object, got null');
  });

  it('the accumulator refuses an invalid clock or an unparsed period', () => {
    expect(() => createSegmentExperiment(request(), new Date('nope'))).toThrow(RangeError);
    expect(() => createSegmentExperiment({ ...request(), periodDays: 60 }, NOW)).toThrow('periodDays must be a whole number from 1 to 30, got 60');
  });
});

describe('segment experiment: outcome', () => {
  it('adopts a variant that clearly converts better (40% vs 20% on 500 each)', () => {
    const neither = Array.from({ length: 10 }, (_, i) => customer(`passive-${i}`, 7, { sends: 1, purchases: 1 }));
    const report = run([...population('d', 5, 500, 100, 100), ...population('p', 10, 500, 200, 150), ...neither]);

    expect(report.profilesScanned).toBe(1010);
    expect(report.groups.control).toEqual({ members: 500, emailRecipients: 500, sends: 500, opens: 100, clicks: 0, purchasers: 100, purchases: 100, averageEngagement: null, scoredMembers: 0 });
    expect(report.groups.variant).toMatchObject({ members: 500, purchasers: 200, opens: 150 });
    expect(report.overlap).toEqual({ members: 0, shareOfSmallerGroup: 0 });

    const conversion = report.comparisons.conversionRate;
    expect(conversion.control).toEqual({ successes: 100, trials: 500, rate: 0.2 });
    expect(conversion.variant).toEqual({ successes: 200, trials: 500, rate: 0.4 });
    expect(conversion.difference).toBeCloseTo(0.2, 12);
    expect(conversion.lift).toBeCloseTo(1, 12); // (0.4 - 0.2) / 0.2
    // pooled 300/1000 = 0.3; se = sqrt(0.3 * 0.7 * (1/500 + 1/500)) = sqrt(0.00084) = 0.0289828; z = 0.2 / 0.0289828
    expect(conversion.z).toBeCloseTo(6.9007, 3);
    expect(conversion.pValue).toBeLessThan(1e-10);
    // unpooled se = sqrt(0.2 * 0.8 / 500 + 0.4 * 0.6 / 500) = sqrt(0.0008) = 0.0282843; margin = 1.959964 * se = 0.0554365
    expect(conversion.confidenceInterval![0]).toBeCloseTo(0.1445635, 6);
    expect(conversion.confidenceInterval![1]).toBeCloseTo(0.2554365, 6);
    expect(conversion.significant).toBe(true);

    // opens: 100/500 = 0.2 vs 150/500 = 0.3; pooled 0.25, se = sqrt(0.25 * 0.75 * 0.004) = 0.0273861; z = 0.1 / se
    expect(report.comparisons.openRate.z).toBeCloseTo(3.6515, 3);
    expect(report.comparisons.openRate.lift).toBeCloseTo(0.5, 12);
    // nobody clicked on either side: no variance to test, and no NaN either
    expect(report.comparisons.clickRate).toMatchObject({ difference: 0, lift: null, z: null, pValue: null, significant: false, reason: 'no_variance' });

    expect(report.recommendation.decision).toBe('adopt_variant');
    expect(report.recommendation.message).toBe(
      "Adopt the variant's criteria: its members convert significantly better (conversion 40% for the variant against 20% for the control, lift +100%, p < 0.001).",
    );
    expect(report.recommendation.notes).toEqual([]);
  });

  it('keeps the control when the variant converts significantly worse', () => {
    const report = run([...population('d', 5, 500, 200), ...population('p', 10, 500, 100)]);
    expect(report.comparisons.conversionRate.lift).toBeCloseTo(-0.5, 12); // (0.2 - 0.4) / 0.4
    expect(report.recommendation.decision).toBe('keep_control');
    expect(report.recommendation.message).toContain("Keep the control: the variant's members convert significantly worse");
    expect(report.recommendation.message).toContain('lift −50%');
  });

  it('calls a small difference inconclusive (100/500 vs 110/500)', () => {
    const report = run([...population('d', 5, 500, 100), ...population('p', 10, 500, 110)]);
    const conversion = report.comparisons.conversionRate;
    // pooled 210/1000 = 0.21; se = sqrt(0.21 * 0.79 * 0.004) = 0.0257605; z = 0.02 / se = 0.7764; p = 2 * (1 - Φ(0.7764)) = 0.4375
    expect(conversion.z).toBeCloseTo(0.7764, 3);
    expect(conversion.pValue).toBeCloseTo(0.4375, 3);
    expect(conversion.significant).toBe(false);
    expect(report.recommendation.decision).toBe('inconclusive');
    expect(report.recommendation.message).toBe(
      'No significant difference: keep the control or run longer (conversion 22% for the variant against 20% for the control, lift +10%, p = 0.438).',
    );
  });

  it('gives a null lift, not Infinity, when the control converted nobody', () => {
    const report = run([...population('d', 5, 200, 0), ...population('p', 10, 200, 20)]);
    const conversion = report.comparisons.conversionRate;
    expect(conversion.lift).toBeNull();
    // pooled 20/400 = 0.05; se = sqrt(0.05 * 0.95 * (2/200)) = 0.0217945; z = 0.1 / se
    expect(conversion.z).toBeCloseTo(4.5883, 3);
    expect(report.recommendation.decision).toBe('adopt_variant');
    expect(report.recommendation.message).toContain('(conversion 10% for the variant against 0% for the control, p < 0.001)');
    expect(numbersOf(report).every(Number.isFinite)).toBe(true);
  });

  it('reports an empty scan with nulls and notes, never NaN', () => {
    const report = run([]);
    expect(report.profilesScanned).toBe(0);
    expect(report.overlap).toEqual({ members: 0, shareOfSmallerGroup: null });
    expect(report.comparisons.conversionRate).toMatchObject({ control: { successes: 0, trials: 0, rate: null }, lift: null, pValue: null, reason: 'no_trials' });
    expect(report.comparisons.averageEngagement).toMatchObject({ control: { n: 0, mean: null }, variant: { n: 0, mean: null }, reason: 'too_few_samples' });
    expect(report.recommendation).toEqual({
      decision: 'inconclusive',
      message: 'No significant difference: keep the control or run longer (a group has no members to compare).',
      notes: [
        'The control group is small (0 members, 0 emails sent; at least 100 members and 100 sends are needed for reliable rates): run the experiment over a longer period or broaden the criteria before acting on it.',
        'The variant group is small (0 members, 0 emails sent; at least 100 members and 100 sends are needed for reliable rates): run the experiment over a longer period or broaden the criteria before acting on it.',
      ],
    });
    expect(numbersOf(report).every(Number.isFinite)).toBe(true);
  });

  it('notes a group short of sends even with enough members', () => {
    const quiet = Array.from({ length: 150 }, (_, i) => customer(`q-${i}`, 10, { sends: i < 50 ? 1 : 0 }));
    const report = run([...population('d', 5, 150, 30), ...quiet]);
    expect(report.groups.variant).toMatchObject({ members: 150, emailRecipients: 50, sends: 50 });
    expect(report.recommendation.notes).toEqual([
      'The variant group is small (50 emails sent; at least 100 members and 100 sends are needed for reliable rates): run the experiment over a longer period or broaden the criteria before acting on it.',
    ]);
  });
});

describe('segment experiment: membership and counting', () => {
  it('counts a customer matching both definitions in both groups and in the overlap, and notes a large overlap', () => {
    // control: NPS <= 8; variant: NPS >= 5. Overlap NPS 5..8: 3 of them; only control: 1; only variant: 1; neither: none.
    const req = request({ control: [{ metric: 'last_nps_score', op: '<=', value: 8 }], variant: [{ metric: 'last_nps_score', op: '>=', value: 5 }] });
    const profiles = [customer('a', 2), customer('b', 5), customer('c', 6), customer('d', 8), customer('e', 10), customer('f', undefined)];
    const report = run(profiles, req);
    expect(report.profilesScanned).toBe(6);
    expect(report.groups.control.members).toBe(4); // a, b, c, d
    expect(report.groups.variant.members).toBe(4); // b, c, d, e
    // 3 of the smaller group's 4 = 75% > 50%
    expect(report.overlap).toEqual({ members: 3, shareOfSmallerGroup: 0.75 });
    expect(report.recommendation.notes).toHaveLength(3);
    expect(report.recommendation.notes[2]).toBe(
      '3 customers (75% of the smaller group) match both definitions: the two barely differ, so the comparison says little. Make the variant criteria more distinct from the control.',
    );
  });

  it('does not note an overlap of exactly half the smaller group', () => {
    const req = request({ control: [{ metric: 'last_nps_score', op: '<=', value: 6 }], variant: [{ metric: 'last_nps_score', op: '>=', value: 6 }] });
    const report = run([customer('a', 5), customer('b', 6), customer('c', 9), customer('d', 10)], req);
    expect(report.overlap).toEqual({ members: 1, shareOfSmallerGroup: 0.5 }); // b, of control's 2
    expect(report.recommendation.notes.some((note) => note.includes('match both definitions'))).toBe(false);
  });

  it('caps each member’s opens and clicks at their sends for the rates, keeping the raw counts', () => {
    const profiles = [
      customer('a', 5, { sends: 2, opens: 5, clicks: 1 }), // counted: 2 opens, 1 click
      customer('b', 5, { sends: 0, opens: 2, clicks: 2 }), // mailed by another tool: counted 0
      customer('c', 5, { sends: 2, opens: 1 }),
    ];
    const report = run(profiles);
    expect(report.groups.control).toMatchObject({ members: 3, emailRecipients: 2, sends: 4, opens: 8, clicks: 3 });
    expect(report.comparisons.openRate.control).toEqual({ successes: 3, trials: 4, rate: 0.75 }); // (2 + 0 + 1) / 4
    expect(report.comparisons.clickRate.control).toEqual({ successes: 1, trials: 4, rate: 0.25 });
  });

  it('averages engagement over the members that have a score and compares the means with Welch’s t-test', () => {
    const profiles = [customer('a', 5, {}, 0.2), customer('b', 5, {}, 0.4), customer('c', 5), customer('d', 10, {}, 0.6), customer('e', 10, {}, 0.8)];
    const report = run(profiles);
    expect(report.groups.control).toMatchObject({ members: 3, scoredMembers: 2 });
    expect(report.groups.control.averageEngagement).toBeCloseTo(0.3, 12);
    expect(report.groups.variant.averageEngagement).toBeCloseTo(0.7, 12);
    const engagement = report.comparisons.averageEngagement;
    // variances 0.02 each (n - 1 = 1); se = sqrt(0.02/2 + 0.02/2) = 0.141421; t = 0.4 / se = 2.8284
    expect(engagement.t).toBeCloseTo(2.8284, 4);
    // df = (0.01 + 0.01)² / (0.01²/1 + 0.01²/1) = 2
    expect(engagement.degreesOfFreedom).toBeCloseTo(2, 9);
    // for 2 df the two-sided p is 1 − |t| / sqrt(t² + 2) = 1 − 2.8284 / 3.1623 = 0.10557
    expect(engagement.pValue).toBeCloseTo(0.10557, 4);
    expect(engagement.lift).toBeCloseTo(4 / 3, 9); // (0.7 - 0.3) / 0.3
    expect(engagement.control).toEqual({ n: 2, mean: expect.closeTo(0.3, 12) });
  });

  it('counts only activity inside the period, by UTC day (built with applyEvent)', () => {
    // periodDays 7 ending Nov 30: Nov 24 00:00Z .. now
    const events = [
      { type: 'email_open', occurredAt: '2026-11-23T23:59:59Z', properties: { sendId: 's0' } }, // one second too early
      { type: 'email_open', occurredAt: '2026-11-24T00:00:00Z', properties: { sendId: 's1' } },
      { type: 'purchase', occurredAt: '2026-11-23T18:00:00Z', properties: { orderId: 'o1', amount: 50 } },
      { type: 'nps_response', occurredAt: '2026-11-25T09:00:00Z', properties: { score: 10 } },
    ];
    let profile: Profile | undefined;
    for (const event of events) {
      const occurredAt = new Date(event.occurredAt);
      profile = applyEvent(profile, buildEvent({ customerId: 'edge', ...event }), occurredAt).profile;
    }
    profile = recordQueuedSend(recordQueuedSend(profile!, new Date('2026-11-23T08:00:00Z')), new Date('2026-11-24T08:00:00Z'));

    const report = run([profile], request({ periodDays: 7 }));
    expect(report.period).toEqual({ from: '2026-11-24', to: '2026-11-30', days: 7 });
    expect(report.groups.variant).toMatchObject({ members: 1, sends: 1, opens: 1, purchasers: 0, purchases: 0 });
    // the same customer over 8 days: everything counts
    expect(run([profile], request({ periodDays: 8 })).groups.variant).toMatchObject({ sends: 2, opens: 2, purchasers: 1, purchases: 1 });
  });

  it('gives the same report whatever order the profiles arrive in', () => {
    const profiles = [...population('d', 5, 30, 6, 10), ...population('p', 10, 40, 12, 5)].map((p, i) => ({ ...p, scores: { engagement: (i % 7) / 10 } }));
    const forward = run(profiles);
    const backward = run([...profiles].reverse());
    expect(backward.groups).toEqual(forward.groups);
    expect(backward.comparisons.conversionRate).toEqual(forward.comparisons.conversionRate);
    expect(backward.comparisons.averageEngagement.t).toBeCloseTo(forward.comparisons.averageEngagement.t!, 10);
  });
});
