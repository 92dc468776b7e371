import { describe, expect, it } from 'vitest';
import { dailySeriesFor, defaultCatalog, segmentationOf, weeklySeriesFor } from '#shared/catalog/index.ts';
import { evaluateProfile } from '#shared/domain/profile-evaluation.ts';
import { applyEvent, type Profile } from '#shared/domain/profile.ts';
import { contributionsByGroup } from '#shared/domain/scoring.ts';
import { buildEvent } from '../support/build-event.ts';

/**
 * Document 000 keeps a customer's interactions of the last 90 days and scores min(1, count / 50)
 * x 0.15 of them. Before the profile kept weeks past its 30-day ring, a customer first seen more than
 * 90 days ago had only the last 30 days counted.
 */
describe('document 000: the interactions of the last 90 days, for a customer older than 90 days', () => {
  const now = new Date('2026-11-20T10:00:00Z');
  const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();
  // First seen 200 days ago; 20 page views 60 days ago; 5 page views 10 days ago.
  const events = [
    { type: 'page_view', occurredAt: daysAgo(200) },
    ...Array.from({ length: 20 }, () => ({ type: 'page_view', occurredAt: daysAgo(60) })),
    ...Array.from({ length: 5 }, () => ({ type: 'page_view', occurredAt: daysAgo(10) })),
  ];

  it('counts the 25 interactions of the last 90 days (not the one 200 days old): 25/50 x 0.15 = 0.075', () => {
    const options = { dailySeries: dailySeriesFor(defaultCatalog), weeklySeries: weeklySeriesFor(defaultCatalog) };
    let profile: Profile | undefined;
    for (const input of events) {
      const event = buildEvent({ customerId: 'old_friend', ...input, properties: { url: '/blog' } });
      const change = applyEvent(profile, event, new Date(event.occurredAt), options);
      if (change.type === 'applied') profile = change.profile;
    }
    const evaluation = evaluateProfile({ profile: profile!, catalog: segmentationOf(defaultCatalog), now, triggerId: 'score' });
    const score = evaluation.scores.engagement!;

    expect(evaluation.facts.metric('interactions_90d')).toBe(25);
    expect(score.components.find((c) => c.name === 'frequency')?.input).toBe(25);
    expect(contributionsByGroup(score).frequency).toBe(0.075);
  });
});
