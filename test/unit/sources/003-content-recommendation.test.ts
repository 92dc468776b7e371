import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { evaluateConditionGroup } from '#shared/domain/conditions.ts';
import { renderEmail, templateVariables } from '#shared/domain/email-template.ts';
import { thresholdCrossings, type Predictions } from '#shared/domain/predictive/predict-profile.ts';
import { contentInterests } from '#shared/domain/predictive/content-interests.ts';
import { profileFacts } from '#shared/domain/profile-metrics.ts';
import { applyEvent, type Profile } from '#shared/domain/profile.ts';
import { personalizationFrom } from '#shared/domain/send-decision.ts';
import { conditionScope } from '#shared/domain/trigger-rules.ts';
import { buildEvent } from '../support/build-event.ts';
import { welcomeRequest } from '../support/send-requests.ts';

/**
 * Document 003's content recommendation: trigger `content_interest_prediction` (the content-interest
 * model, confidence threshold 0.7), action a personalized content sequence, sequencing by interest
 * progression. Nudge: the scoring's interests at or above 0.7, a ContentInterestPredicted event for a
 * new one, and the content_recommendation sequence, one interest per step, strongest first.
 */

const settings = defaultCatalog.settings.predictive;
const scoredAt = '2026-11-20T04:00:00.000Z';
const predictions = (interests: Array<[string, number]>): Predictions => ({
  churn: { probability: 0.1, segment: 'low', modelId: 'm', scoredAt },
  interests: interests.map(([category, score]) => ({ category, score, source: 'own' as const })),
});

/** A customer whose views make `garden` and `kitchen` their categories (3:1). */
function viewer(): Profile {
  let profile: Profile | undefined;
  const views = ['garden', 'garden', 'garden', 'kitchen'];
  views.forEach((category, i) => {
    const event = buildEvent({ customerId: 'c-003', type: 'product_view', occurredAt: `2026-11-19T10:0${i}:00Z`, properties: { productId: `p-${i}`, category } });
    const change = applyEvent(profile, event, new Date(event.occurredAt));
    if (change.type === 'applied') profile = change.profile;
  });
  return profile!;
}

describe('document 003: the content recommendation sequence', () => {
  it('ships the document threshold 0.7: only interests scoring at least 0.7 are predicted', () => {
    expect(settings.interestThreshold).toBe(0.7);
    const interests = contentInterests({ garden: 7, kitchen: 3 }, undefined, { threshold: settings.interestThreshold });
    expect(interests.every((interest) => interest.score >= 0.7)).toBe(true);
  });

  it('a new predicted interest puts ContentInterestPredicted on the bus once; the same interests the next day do not', () => {
    const first = thresholdCrossings({}, predictions([['garden', 0.9]]), 'c-003', settings).filter((e) => e.detailType === 'ContentInterestPredicted');
    expect(first.map((e) => e.detail)).toEqual([{ customerId: 'c-003', interests: ['garden'], newInterests: ['garden'], at: scoredAt, transitionId: 'content_interest:c-003:2026-11-20' }]);
    const again = thresholdCrossings(predictions([['garden', 0.9]]), predictions([['garden', 0.95]]), 'c-003', settings);
    expect(again.some((e) => e.detailType === 'ContentInterestPredicted')).toBe(false);
    const another = thresholdCrossings(predictions([['garden', 0.9]]), predictions([['garden', 0.9], ['kitchen', 0.75]]), 'c-003', settings);
    expect(another.filter((e) => e.detailType === 'ContentInterestPredicted').map((e) => (e.detail as { newInterests: string[] }).newInterests)).toEqual([['kitchen']]);
  });

  it('the sequence starts on that signal and sends one interest per step, strongest first, skipping steps beyond the interests known', async () => {
    const sequence = defaultCatalog.sequences.find((s) => s.startOn?.signal === 'content_interest_predicted')!;
    expect(sequence.id).toBe('content_recommendation');
    const profile: Profile = { ...viewer(), predictions: predictions([['garden', 0.9], ['kitchen', 0.72]]) };
    const facts = profileFacts(profile, new Date('2026-11-20T10:00:00Z'));
    const due = sequence.steps.map((step) => (step.conditions ? evaluateConditionGroup(step.conditions, conditionScope({ event: {}, profile, facts })).passed : true));
    expect(due).toEqual([true, true, false]);

    const subjects: string[] = [];
    for (const step of sequence.steps.slice(0, 2)) {
      const template = defaultCatalog.templates.find((t) => t.id === step.templateId)!;
      const request = { ...welcomeRequest({ eventProperties: {} }), templateId: template.id, personalization: personalizationFrom(profile, { eventId: 'e', type: 'ContentInterestPredicted', occurredAt: scoredAt, properties: {} }) };
      const rendered = await renderEmail(template, templateVariables(request, 'Shop'));
      if (rendered.type !== 'rendered') throw new Error(rendered.reason);
      subjects.push(rendered.email.subject);
    }
    expect(subjects[0]).toContain('garden');
    expect(subjects[1]).toContain('kitchen');
  });
});
