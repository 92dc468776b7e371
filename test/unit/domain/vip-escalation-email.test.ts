import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml } from '#shared/domain/html.ts';
import { vipEscalationEmail } from '#shared/domain/vip-escalation-email.ts';

const detail = (over: Partial<{ customerId: string; orderId: string | null; amount: number; lifecycleStage: string | null }> = {}) => ({
  customerId: 'c-42',
  orderId: 'o-9' as string | null,
  amount: 750,
  threshold: 500,
  lifetimeValue: 1150,
  lifecycleStage: 'vip_customer' as string | null,
  at: '2026-11-20T10:00:00.000Z',
  transitionId: 't-1',
  ...over,
});

describe('the account manager\'s VIP escalation email (staff mail, not marketing)', () => {
  it('names the customer, the order, the amount, the lifetime value and the stage, in text and HTML', () => {
    const email = vipEscalationEmail({ to: 'am@shop.example.com', brandName: 'Shop', detail: detail() });
    expect(email.to).toBe('am@shop.example.com');
    expect(email.subject).toBe('[Shop] VIP escalation: customer c-42, purchase 750');
    for (const part of [email.text, email.html]) {
      for (const value of ['c-42', 'o-9', '750', '500', '1150', 'vip_customer']) expect(part).toContain(value);
    }
    expect(email.text).toContain('Lifetime value: 1150\n');
  });

  it('says so when the purchase had no order id, and when the customer is in no stage', () => {
    const email = vipEscalationEmail({ to: 'am@shop.example.com', brandName: 'Shop', detail: detail({ orderId: null, lifecycleStage: null }) });
    expect(email.text).toContain('Order: (no order id)');
    expect(email.text).toContain('Lifecycle stage: (none)');
  });

  it('for any customer id, order and amount: no tracking pixel, no links, no unsubscribe footer or header, and the values escaped in HTML', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.option(fc.string()), fc.double({ min: 0, max: 1e9, noNaN: true }), fc.option(fc.string({ minLength: 1, maxLength: 20 })), (customerId, orderId, amount, lifecycleStage) => {
        const email = vipEscalationEmail({ to: 'am@shop.example.com', brandName: 'Shop', detail: detail({ customerId, orderId, amount, lifecycleStage }) });
        expect(email.headers).toEqual([]);
        expect(Object.keys(email.tags)).toEqual(['nudge_staff']);
        // Every tag the HTML holds is one the builder wrote: nothing from the values gets through unescaped.
        expect(email.html.match(/<[a-z!/][^>]*>/gi)!.every((tag) => /^<\/?(!doctype html|html|body|p|table|tr|th( align="left")?|td)>$/i.test(tag))).toBe(true);
        expect(email.html).toContain(escapeHtml(customerId));
        expect(email.text.toLowerCase()).not.toContain('unsubscribe');
        expect(email.text).toContain(`Customer id: ${customerId}\n`);
      }),
    );
  });
});
