import * as z from 'zod';
import { escapeHtml } from './html.ts';
import type { OutgoingEmail } from './ports.ts';

/** A `VipEscalation` event's detail (internal-events.ts), as the account-manager notifier reads it off the bus. */
export const VipEscalationDetail = z
  .object({
    customerId: z.string().min(1),
    orderId: z.string().nullable(),
    amount: z.number(),
    threshold: z.number(),
    lifetimeValue: z.number(),
    lifecycleStage: z.string().nullable(),
    at: z.iso.datetime({ offset: true }),
    transitionId: z.string().min(1),
  })
  .loose();
export type VipEscalationDetail = z.infer<typeof VipEscalationDetail>;

/** The SES tag that marks staff mail (the SES event handler ignores mail without Nudge's send tags). */
export const STAFF_MAIL_TAG = { name: 'nudge_staff', value: 'vip_escalation' } as const;

/**
 * Document 001's notify_account_manager: the staff email for one high-value purchase. Staff mail,
 * not marketing: no tracking pixel, no tracked links, no unsubscribe footer or List-Unsubscribe
 * header. It names the customer by id only: the customer's address and name are personal fields
 * the account manager can look up with `nudge profile` (decisions.md, Privacy).
 */
export function vipEscalationEmail(input: { to: string; brandName: string; detail: VipEscalationDetail }): OutgoingEmail {
  const { detail } = input;
  // Amounts as the shop sent them: events carry no currency Nudge could vouch for across orders.
  const money = (value: number) => String(value);
  const rows: Array<[string, string]> = [
    ['Customer id', detail.customerId],
    ['Order', detail.orderId ?? '(no order id)'],
    ['Purchase amount', money(detail.amount)],
    ['VIP threshold', money(detail.threshold)],
    ['Purchased at', detail.at],
    ['Lifetime value', money(detail.lifetimeValue)],
    ['Lifecycle stage', detail.lifecycleStage ?? '(none)'],
  ];
  const intro = `A purchase at or above the VIP threshold: ${input.brandName} now treats this customer as a VIP.`;
  const next = `Look the customer up with: nudge profile ${detail.customerId}`;
  const text = [intro, '', ...rows.map(([label, value]) => `${label}: ${value}`), '', next, ''].join('\n');
  const html = [
    '<!doctype html><html><body>',
    `<p>${escapeHtml(intro)}</p>`,
    '<table>',
    ...rows.map(([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`),
    '</table>',
    `<p>${escapeHtml(next)}</p>`,
    '</body></html>',
  ].join('\n');
  return {
    to: input.to,
    subject: `[${input.brandName}] VIP escalation: customer ${detail.customerId}, purchase ${money(detail.amount)}`,
    html,
    text,
    headers: [],
    tags: { [STAFF_MAIL_TAG.name]: STAFF_MAIL_TAG.value },
  };
}
