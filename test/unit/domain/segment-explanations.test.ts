import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { explainCondition, explainCriterion, explainSegment, explainSegments } from '#shared/domain/segment-explanations.ts';

const segments = defaultCatalog.segments;

describe('segment explanations in plain language', () => {
  it('a behavioral segment: one sentence per condition of its definition', () => {
    expect(explainSegment('purchase_intent', segments)).toEqual({
      segmentId: 'purchase_intent',
      title: 'Purchase intent',
      reasons: ['You looked at our prices at least 3 times', 'You spent at least 3 minutes on product pages', 'You left items in your cart in the last 24 hours'],
    });
  });

  it('a criteria segment: event counts over a window, purchases and recent activity', () => {
    expect(explainSegment('potential_buyers', segments).reasons).toEqual(['You had at least 1 items added to your cart in the last 7 days', 'You have not ordered from us yet']);
    expect(explainCriterion({ type: 'last_activity', maxDaysAgo: 7 })).toBe('You were active in the last 7 days');
    expect(explainCriterion({ type: 'channel_preference', channel: 'app', minShare: 0.5, windowDays: 30 })).toBe('At least 50% of your visits in the last 30 days were in our app');
    expect(explainCriterion({ type: 'event_count', eventType: 'cart_add', windowDays: 7, min: 1 })).toBe('You had at least 1 items added to your cart in the last 7 days');
  });

  it('family bands: their min/max or when conditions, and the catch-all in words', () => {
    expect(explainSegment('activity_recently_active', segments).reasons).toEqual(['You were active in the last 7 days']);
    expect(explainSegment('first_time_buyer', segments).reasons).toEqual(['You ordered exactly 1 time']);
    // The catch-all: the band just before it, negated, or the groups that did not fit.
    expect(explainSegment('new_user', segments).reasons).toEqual(['Your account is at most 30 days old']);
    expect(explainSegment('engagement_inactive', segments).reasons).toEqual(['Your engagement with our emails and site is less than 20%']);
    expect(explainSegment('activity_churned', segments).reasons).toEqual(['You have not been active for more than 90 days']);
    expect(explainSegment('non_purchaser', segments).reasons).toEqual(['None of these fit you yet: repeat buyer, first time buyer']);
  });

  it('the segments of documents 001 and 002 that read support, advocacy and predictions, in words', () => {
    expect(explainSegment('feature_interest', segments).reasons).toEqual([
      'You read about our features at least 2 times',
      'You read our documentation at least 1 times',
      'You asked our support team for help',
    ]);
    expect(explainSegment('at_risk_churn', segments).reasons[2]).toBe('You rated our support at most 3 out of 5');
    expect(explainSegment('loyal_advocate', segments).reasons).toEqual([
      'You have been a customer for at least 12 months',
      'You recommended us to at least 2 people',
      'You rated us at least 9 out of 10 when asked whether you would recommend us',
    ]);
    expect(explainSegment('high_churn_risk', segments).reasons).toEqual(['Our prediction of whether you will stay with us puts you at high risk of leaving']);
    expect(explainSegment('near_term_purchase', segments).reasons).toEqual(['Our prediction of your next order: within about a month']);
  });

  it('unknown metrics and segments still get an honest line; booleans read as facts', () => {
    expect(explainCondition({ metric: 'support_tickets_open', op: '>=', value: 2 })).toBe('Support tickets open: at least 2');
    expect(explainCondition({ metric: 'subscription_cancelled', op: '==', value: true })).toBe('Subscription cancelled');
    expect(explainCondition({ metric: 'subscription_cancelled', op: '==', value: false })).toBe('Not: Subscription cancelled');
    expect(explainSegments(['churn_risk_high'], segments)).toEqual([
      { segmentId: 'churn_risk_high', title: 'Churn risk high', reasons: ['Our predictions put you in this group, based on your recent activity'] },
    ]);
  });

  it('every segment of the shipped catalog gets at least one reason, none with a raw snake_case metric', () => {
    const ids = segments.flatMap((d) => (d.kind === 'family' ? d.bands.map((b) => b.segment) : [d.id]));
    for (const id of ids) {
      const { reasons } = explainSegment(id, segments);
      expect(reasons.length, id).toBeGreaterThan(0);
      for (const reason of reasons) expect(reason, id).not.toMatch(/[a-z]+_[a-z]+/);
    }
  });
});
