import { describe, expect, it } from 'vitest';
import { countInRing, dayNumber, emptyRing } from '#shared/domain/activity-ring.ts';
import { Profile } from '#shared/domain/profile.ts';
import { createSegmentExperiment, parseSegmentExperimentRequest } from '#shared/domain/reports/segment-experiment.ts';
import { renderHtml } from '#shared/presentation/render-html.ts';
import { renderText } from '#shared/presentation/render-text.ts';
import { segmentExperimentDocument } from '#shared/presentation/segment-experiment-document.ts';

const NOW = new Date('2026-11-30T12:00:00Z');
const request = parseSegmentExperimentRequest({
  name: 'promoters vs detractors',
  control: [{ metric: 'last_nps_score', op: '<=', value: 6 }],
  variant: [{ metric: 'last_nps_score', op: '>=', value: 9 }],
});

type Activity = { sends?: number; opens?: number; clicks?: number; purchases?: number };

/** A profile with an NPS score, its activity on the day before NOW. */
function customer(id: string, nps: number, activity: Activity, engagement?: number): Profile {
  let ring = emptyRing(dayNumber(NOW));
  const series: Array<[string, number | undefined]> = [
    ['email_send', activity.sends],
    ['email_open', activity.opens],
    ['email_click', activity.clicks],
    ['purchase', activity.purchases],
  ];
  for (const [key, count = 0] of series) for (let i = 0; i < count; i++) ring = countInRing(ring, [key], dayNumber(NOW) - 1);
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
    support: { openTickets: [], ratingSum: 0, ratingCount: 0, lastNpsScore: nps },
    scores: engagement === undefined ? {} : { engagement },
  });
}

function run(profiles: readonly Profile[]) {
  const experiment = createSegmentExperiment(request, NOW);
  for (const profile of profiles) experiment.add(profile);
  return experiment.result();
}

// Four detractors (control) and four promoters (variant), each sent one email; one passive in neither.
const report = run([
  customer('c0', 3, { sends: 1, opens: 1, purchases: 1 }, 0.2),
  customer('c1', 3, { sends: 1, opens: 1 }, 0.3),
  customer('c2', 3, { sends: 1 }, 0.4),
  customer('c3', 3, { sends: 1 }),
  customer('v0', 10, { sends: 1, opens: 1, clicks: 1, purchases: 1 }, 0.7),
  customer('v1', 10, { sends: 1, opens: 1, purchases: 1 }, 0.8),
  customer('v2', 10, { sends: 1, opens: 1, purchases: 2 }, 0.9),
  customer('v3', 10, { sends: 1 }),
  customer('p0', 7, { sends: 1, opens: 1 }),
]);
const document = segmentExperimentDocument(report);

function small(group: string): string {
  return `The ${group} group is small (4 members, 4 emails sent; at least 100 members and 100 sends are needed for reliable rates): run the experiment over a longer period or broaden the criteria before acting on it.`;
}

describe('segmentExperimentDocument', () => {
  it('is titled with the experiment and its period, and leads with the decision, its reason and the caveats', () => {
    expect(document.title).toBe('segment experiment "promoters vs detractors", last 14 days (2026-11-17 to 2026-11-30)');
    expect(document.subtitle).toBe('9 profiles scanned, 0 in both groups');
    expect(document.blocks.map((b) => b.kind)).toEqual(['notes', 'table', 'table', 'bars']);
    // Conversion 1/4 against 3/4: pooled 0.5, z = 0.5 / √(0.5·0.5·(1/4 + 1/4)) = 1.414, p = 0.157.
    expect(document.blocks[0]).toEqual({
      kind: 'notes',
      title: 'Recommendation: inconclusive',
      items: [
        { severity: 'info', text: 'No significant difference: keep the control or run longer (conversion 75% for the variant against 25% for the control, lift +200%, p = 0.157).' },
        { severity: 'warning', text: small('control') },
        { severity: 'warning', text: small('variant') },
      ],
    });
  });

  it("tables both groups' counts and average engagement", () => {
    const groups = document.blocks[1]!;
    if (groups.kind !== 'table') throw new Error('expected a table');
    expect(groups.columns.map((c) => c.label)).toEqual(['group', 'members', 'email recipients', 'sends', 'opens', 'clicks', 'purchasers', 'purchases', 'average engagement', 'scored members']);
    expect(groups.rows).toEqual([
      { group: 'control', members: 4, emailRecipients: 4, sends: 4, opens: 2, clicks: 0, purchasers: 1, purchases: 1, averageEngagement: expect.closeTo(0.3, 12), scoredMembers: 3 },
      { group: 'variant', members: 4, emailRecipients: 4, sends: 4, opens: 3, clicks: 1, purchasers: 3, purchases: 4, averageEngagement: expect.closeTo(0.8, 12), scoredMembers: 3 },
    ]);
  });

  it('compares each metric with its lift, p-value, interval of the difference and significance', () => {
    const table = document.blocks[2]!;
    if (table.kind !== 'table') throw new Error('expected a table');
    expect(table.columns.map((c) => [c.label, c.format])).toEqual([
      ['metric', 'text'],
      ['control', 'percent'],
      ['variant', 'percent'],
      ['lift', 'signed_percent'],
      ['p-value', 'number'],
      ['confidence interval (difference)', 'text'],
      ['significant', 'text'],
    ]);
    // Rates: p from the pooled z; interval 1.96 unpooled standard errors, e.g. opens 0.25 ± 1.96·√(0.5·0.5/4 + 0.75·0.25/4) = 0.25 ± 0.648.
    // Engagement (0.2, 0.3, 0.4 against 0.7, 0.8, 0.9): Welch t = 0.5 / 0.0816 = 6.12 on 4 degrees of freedom, 0.5 ± 2.776·0.0816.
    expect(table.rows).toEqual([
      { metric: 'open rate', control: 0.5, variant: 0.75, lift: expect.closeTo(0.5, 12), pValue: '0.465', interval: '-39.8% to +89.8%', significant: 'no' },
      { metric: 'click rate', control: 0, variant: 0.25, lift: null, pValue: '0.285', interval: '-17.4% to +67.4%', significant: 'no' },
      { metric: 'conversion rate', control: 0.25, variant: 0.75, lift: expect.closeTo(2, 12), pValue: '0.157', interval: '-10.0% to +110.0%', significant: 'no' },
      { metric: 'average engagement', control: '0.3', variant: '0.8', lift: expect.closeTo(5 / 3, 9), pValue: '0.004', interval: '0.27 to 0.73', significant: 'yes' },
    ]);
  });

  it('draws the rates of both groups side by side', () => {
    expect(document.blocks[3]).toEqual({
      kind: 'bars',
      title: 'Rates, control and variant',
      categories: ['open rate', 'click rate', 'conversion rate'],
      series: [
        { name: 'control', values: [0.5, 0, 0.25] },
        { name: 'variant', values: [0.75, 0.25, 0.75] },
      ],
      format: 'percent',
    });
  });

  it('renders as text and HTML, and an experiment that selected nobody shows dashes and no bars', () => {
    const text = renderText(document);
    expect(text).toContain('\n[info] No significant difference');
    const engagement = text.split('\n').find((line) => line.startsWith('average engagement  '));
    expect(engagement?.split(/ {2,}/)).toEqual(['average engagement', '0.3', '0.8', '+166.7%', '0.004', '0.27 to 0.73', 'yes']);
    expect(renderHtml(document)).toContain('<h2 id="block-1-title">Recommendation: inconclusive</h2>');
    const nobody = segmentExperimentDocument(run([customer('p0', 7, { sends: 1 })]));
    const comparisons = nobody.blocks[2]!;
    if (comparisons.kind !== 'table') throw new Error('expected a table');
    expect(comparisons.rows.map((row) => [row.control, row.variant, row.pValue, row.significant])).toEqual(Array.from({ length: 4 }, () => [null, null, null, 'no']));
    expect(nobody.blocks[3]).toMatchObject({ categories: [], series: [{ values: [] }, { values: [] }] });
    expect(renderText(nobody)).toContain('Rates, control and variant\n(no data)');
    expect(() => renderHtml(nobody)).not.toThrow();
  });
});
