import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dailySeriesFor, defaultCatalog, segmentationOf } from '#shared/catalog/index.ts';
import { engagementEntry } from '#shared/domain/engagement-events.ts';
import { trackClicks } from '#shared/domain/email-links.ts';
import { renderEmail } from '#shared/domain/email-template.ts';
import type { InternalEvent } from '#shared/domain/internal-events.ts';
import { verifyLink } from '#shared/domain/link-tokens.ts';
import { evaluateProfile } from '#shared/domain/profile-evaluation.ts';
import { profileFacts } from '#shared/domain/profile-metrics.ts';
import { applyEvent, type Profile } from '#shared/domain/profile.ts';
import { sendBlocker, stoppedByCancellation } from '#shared/domain/send-decision.ts';
import type { SendRequest } from '#shared/domain/send-request.ts';
import { exitReason, sequenceExitEventTypes } from '#shared/domain/sequence-progress.ts';
import { VipEscalationDetail, vipEscalationEmail } from '#shared/domain/vip-escalation-email.ts';
import { buildEvent } from '../support/build-event.ts';

/**
 * Document 001's real-time processing rules, per event type, through real events: the immediate
 * actions (engagement and interest updates, customer value, lifecycle, abandonment, support pause,
 * win-back, stop active campaigns, VIP escalation) and the campaigns they trigger.
 */

type EventInput = Parameters<typeof buildEvent>[0];
const segmentation = segmentationOf(defaultCatalog);
const options = { dailySeries: dailySeriesFor(defaultCatalog), lastSeenTypes: sequenceExitEventTypes(defaultCatalog.sequences) };

/** Applies and evaluates each event as ingest does; returns the profile and every internal event published. */
function run(customerId: string, steps: EventInput[]): { profile: Profile; published: InternalEvent[]; perEvent: InternalEvent[][] } {
  let profile: Profile | undefined;
  const perEvent: InternalEvent[][] = [];
  for (const step of steps) {
    const event = buildEvent({ customerId, email: `${customerId}@example.com`, ...step });
    const now = new Date(event.occurredAt);
    const change = applyEvent(profile, event, now, options);
    if (change.type !== 'applied') throw new Error(`duplicate ${event.eventId}`);
    const evaluation = evaluateProfile({ profile: change.profile, previous: profile, catalog: segmentation, now, triggerId: event.eventId, event });
    profile = evaluation.profile;
    perEvent.push(evaluation.internalEvents);
  }
  return { profile: profile!, published: perEvent.flat(), perEvent };
}

const at = (minute: number) => new Date(Date.parse('2026-11-20T10:00:00Z') + minute * 60_000).toISOString();
const subscribe: EventInput = { type: 'subscribe', occurredAt: at(0), properties: { categories: ['marketing'] } };

describe('document 001: real-time processing rules', () => {
  it('email_opened: update_engagement_score adds 1 point per open to the 0..10 interaction score', () => {
    const { profile } = run('r-open', [subscribe, ...[1, 2, 3].map((m): EventInput => ({ type: 'email_open', occurredAt: at(m), properties: { sendId: `s-${m}` } }))]);
    expect(profile.scores.interaction).toBe(3);
  });

  it("the interaction weights are the document's: open 1, click 3, forward 2, reply 5, unsubscribe -10, the score kept within 0..10", () => {
    const step = (type: string, m: number, isCustom = false): EventInput => ({ type, isCustom, occurredAt: at(m), properties: type === 'email_click' ? { sendId: 's', url: 'https://shop.example/' } : { sendId: 's' } });
    expect(run('r-w1', [subscribe, step('email_open', 1), step('email_click', 2), step('email_forward', 3, true)]).profile.scores.interaction).toBe(6);
    expect(run('r-w2', [subscribe, step('email_reply', 1), step('email_open', 2)]).profile.scores.interaction).toBe(6);
    expect(run('r-w3', [subscribe, step('email_reply', 1), step('email_open', 2), step('unsubscribe', 3)]).profile.scores.interaction).toBe(0);
  });

  it('email_clicked: increment_engagement (3 points a click, the score capped at 10) and update_interest_profile (the clicked link\'s category)', () => {
    const clicks = [1, 2, 3, 4].map((m): EventInput => ({ type: 'email_click', occurredAt: at(m), properties: { sendId: `s-${m}`, url: 'https://shop.example/p/1', category: 'garden' } }));
    const { profile } = run('r-click', [subscribe, ...clicks]);
    expect(profile.scores.interaction).toBe(10); // 4 x 3 = 12, capped at the document's 10
    expect(profile.categories).toEqual({ garden: 4 });
    expect(profile.lastEvent?.categories).toEqual(['garden']);
  });

  it('a click counts an interest exactly when its link carried a category, whatever the category', () => {
    fc.assert(
      fc.property(fc.option(fc.stringMatching(/^[a-z][a-z_]{0,20}$/), { nil: undefined }), (category) => {
        const properties = { sendId: 's-1', url: 'https://shop.example/p/1', ...(category ? { category } : {}) };
        const { profile } = run('r-prop', [subscribe, { type: 'email_click', occurredAt: at(1), properties }]);
        expect(profile.categories).toEqual(category ? { [category]: 1 } : {});
      }),
      { numRuns: 50 },
    );
  });

  it('the tracked link carries the category of a link marked data-category, and its click event passes it to ingest', () => {
    const key = { id: 'k1', key: 'a-test-secret-of-at-least-32-characters!!' };
    const now = new Date('2026-11-20T12:00:00Z');
    const request = { customerId: 'c-1', sendId: 'send-1', ruleId: 'r' } as SendRequest;
    const html = trackClicks('<a href="https://shop.example/p/1" data-category="garden">Rake</a> <a href="https://shop.example/">Shop</a>', request, { baseUrl: 'https://l.example', key }, now);
    const tokens = [...html.matchAll(/href="https:\/\/l\.example\/c\/([^"]+)"/g)].map((m) => m[1]!);
    const claims = tokens.map((token) => {
      const check = verifyLink(token, { current: key, previous: [] }, now);
      if (!check.ok) throw new Error(check.problem);
      return check.claims;
    });
    expect(claims.map((c) => c.t)).toEqual(['garden', undefined]);
    const entry = engagementEntry({ kind: 'click', customerId: 'c-1', sendId: 'send-1', url: claims[0]!.u!, category: claims[0]!.t!, at: now });
    expect(entry.detail.properties).toMatchObject({ category: 'garden' });
  });

  it('purchase_completed: update_customer_value and loyalty_program_enrollment (once, at the first purchase)', () => {
    const { profile, perEvent } = run('r-buy', [
      subscribe,
      { type: 'purchase', occurredAt: at(1), properties: { orderId: 'o-1', amount: 40 } },
      { type: 'purchase', occurredAt: at(2), properties: { orderId: 'o-2', amount: 60 } },
    ]);
    const facts = profileFacts(profile, new Date(at(3)));
    expect(facts.metric('lifetime_value')).toBe(100);
    expect(facts.metric('loyalty_enrolled')).toBe(true);
    expect(perEvent[1]!.filter((e) => e.detailType === 'LoyaltyEnrolled').map((e) => e.detail)).toEqual([expect.objectContaining({ orderId: 'o-1' })]);
    expect(perEvent[2]!.some((e) => e.detailType === 'LoyaltyEnrolled')).toBe(false);
    // No extra email: the onboarding thank-you (the first buyer's first email) tells the member.
    expect(defaultCatalog.sequences.find((s) => s.startOn?.signal === 'loyalty_enrolled')).toBeUndefined();
  });

  it('the onboarding thank-you tells a loyalty member of the enrolment, and says nothing of it to anyone else', async () => {
    const template = defaultCatalog.templates.find((t) => t.id === 'onboarding_series_thank_you')!;
    const member = await renderEmail(template, { brand: { name: 'Shop' }, loyalty_member: true });
    const other = await renderEmail(template, { brand: { name: 'Shop' }, loyalty_member: false });
    if (member.type !== 'rendered' || other.type !== 'rendered') throw new Error(`did not render: ${JSON.stringify([member, other])}`);
    expect(member.email.html).toContain('member of our loyalty programme');
    expect(other.email.html).not.toContain('loyalty');
  });

  it('high_value_action: a purchase at or above the catalog threshold escalates to VIP treatment (VipEscalation)', () => {
    const { published } = run('r-vip', [subscribe, { type: 'purchase', occurredAt: at(1), properties: { orderId: 'o-9', amount: defaultCatalog.settings.highValuePurchase } }]);
    expect(published.filter((e) => e.detailType === 'VipEscalation').map((e) => e.detail)).toEqual([expect.objectContaining({ orderId: 'o-9', threshold: 500 })]);
  });

  it('high_value_action: notify_account_manager mails the catalog\'s account manager the customer id, order, amount, and the lifetime value and stage after the purchase', () => {
    const { profile, published } = run('r-vip-am', [
      subscribe,
      { type: 'purchase', occurredAt: at(1), properties: { orderId: 'o-1', amount: 100 } },
      { type: 'purchase', occurredAt: at(2), properties: { orderId: 'o-10', amount: 600 } },
    ]);
    const escalation = published.find((e) => e.detailType === 'VipEscalation')!;
    // The escalation carries the customer as the purchase leaves them (its consumer may run before the profile write lands).
    expect(escalation.detail).toMatchObject({ orderId: 'o-10', amount: 600, lifetimeValue: 700, lifecycleStage: profile.lifecycleStage });
    expect(profileFacts(profile, new Date(at(3))).metric('lifetime_value')).toBe(700);
    const email = vipEscalationEmail({ to: defaultCatalog.settings.accountManagerEmail!, brandName: defaultCatalog.settings.brandName, detail: VipEscalationDetail.parse(escalation.detail) });
    expect(email.to).toBe('account-manager@shop.example.com');
    expect(email.text).toContain(`Customer id: r-vip-am\nOrder: o-10\nPurchase amount: 600\nVIP threshold: 500\n`);
    expect(email.text).toContain(`Lifetime value: 700\nLifecycle stage: ${profile.lifecycleStage}\n`);
    // Staff mail: the customer's address stays out of it.
    expect(email.text + email.html).not.toContain('r-vip-am@example.com');
  });

  it('cart_abandoned: add_to_abandonment_segment (the 24-hour abandonment metric the segments read)', () => {
    const { profile } = run('r-cart', [subscribe, { type: 'cart_abandon', occurredAt: at(1), properties: { cartValue: 20, items: [{ productId: 'p', quantity: 1 }] } }]);
    expect(profileFacts(profile, new Date(at(2))).metric('cart_abandonment_24h')).toBe(1);
  });

  it('support_ticket_created: flag_support_need and pause_promotional_emails (service mail still goes)', () => {
    const { profile, published } = run('r-support', [subscribe, { type: 'support_ticket', occurredAt: at(1), properties: { ticketId: 't-1', status: 'open' } }]);
    expect(published.map((e) => e.detailType)).toContain('PromotionalSendsPaused');
    expect(sendBlocker(profile, { category: 'marketing', transactional: false }, defaultCatalog.subscriptionCategories)).toBe('promotional_pause');
    expect(sendBlocker(profile, { category: 'transactional', transactional: true }, defaultCatalog.subscriptionCategories)).toBeUndefined();
  });

  describe('subscription_cancelled: move_to_winback_segment and stop_active_campaigns', () => {
    const started = at(1);
    const { profile, published } = run('r-cancel', [subscribe, { type: 'subscription_cancel', occurredAt: at(5), properties: {} }]);

    it('enters the win_back segment, which starts the win-back sequence', () => {
      expect(published.filter((e) => e.detailType === 'SegmentEntered').map((e) => (e.detail as { segmentId: string }).segmentId)).toContain('win_back');
      expect(defaultCatalog.sequences.find((s) => s.startOn?.segmentEntered === 'win_back')?.id).toBe('win_back');
    });

    it('every other sequence running when the customer cancelled ends at its next step', () => {
      for (const sequence of defaultCatalog.sequences.filter((s) => s.id !== 'win_back')) {
        const runOf = { sequenceId: sequence.id, customerId: profile.customerId, startedAt: started, startStage: profile.lifecycleStage ?? null, stepIndex: 1 };
        expect(exitReason(sequence, runOf, profile), sequence.id).toBeDefined();
      }
      const winBack = defaultCatalog.sequences.find((s) => s.id === 'win_back')!;
      expect(exitReason(winBack, { sequenceId: 'win_back', customerId: profile.customerId, startedAt: at(6), startStage: null, stepIndex: 1 }, profile)).toBeUndefined();
    });

    it('marketing already on its way (triggered before the cancellation) is dropped as it leaves; what the cancellation triggers and service mail go', () => {
      const trigger = (occurredAt: string) => ({ trigger: { eventId: 'e', type: 'x', occurredAt } });
      expect(stoppedByCancellation(profile, trigger(at(4)), false)).toBe(true);
      expect(stoppedByCancellation(profile, trigger(at(5)), false)).toBe(false);
      expect(stoppedByCancellation(profile, trigger(at(4)), true)).toBe(false);
    });
  });
});
