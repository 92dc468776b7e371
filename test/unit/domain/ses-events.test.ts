import { describe, expect, it } from 'vitest';
import { engagementEntry, TRACKING_SOURCE } from '#shared/domain/engagement-events.ts';
import { maskAddress, parseSesEvent, redactAddresses, SES_DETAIL_TYPES, type SesEventType } from '#shared/domain/ses-events.ts';

const CUSTOMER = 'cust-42 ü';
const SEND_ID = 'snd-7f3a';
const RULE = 'cart_abandonment';
const ADDRESS = 'Jane.Doe@Example.com';
const nudgeTags = (overrides: Record<string, string[]> = {}) => ({
  'ses:configuration-set': ['NudgeDeliveryConfigurationSet'],
  'ses:source-ip': ['192.0.2.10'],
  'ses:from-domain': ['example.com'],
  'ses:caller-identity': ['nudge-dispatcher'],
  rule: [RULE],
  sendId: [SEND_ID],
  category: ['marketing'],
  customer: [Buffer.from(CUSTOMER).toString('base64url')],
  ...overrides,
});

/** An SES event as EventBridge delivers it (shape from the SES / EventBridge documentation examples). */
function sesEvent(eventType: SesEventType, body: Record<string, unknown>, tags: Record<string, string[]> | null = nudgeTags()) {
  return {
    version: '0',
    id: 'df1515d9-b441-32ac-346a-8b4d5dd153c6',
    'detail-type': SES_DETAIL_TYPES[eventType],
    source: 'aws.ses',
    account: '123456789012',
    time: '2026-11-20T10:15:31Z',
    region: 'eu-west-1',
    resources: ['arn:aws:ses:eu-west-1:123456789012:configuration-set/NudgeDeliveryConfigurationSet'],
    detail: {
      eventType,
      mail: {
        timestamp: '2026-11-20T10:15:00.123Z',
        source: 'Shop <no-reply@shop.example>',
        sourceArn: 'arn:aws:ses:eu-west-1:123456789012:identity/shop.example',
        sendingAccountId: '123456789012',
        messageId: '010f019a9974b389-60efe038-3845-92e7-45c43cdc6ca2-000000',
        destination: [ADDRESS],
        headersTruncated: false,
        headers: [{ name: 'To', value: ADDRESS }],
        commonHeaders: { from: ['Shop <no-reply@shop.example>'], to: [ADDRESS], subject: 'Still thinking it over?' },
        ...(tags ? { tags } : {}),
      },
      ...body,
    },
  };
}

const permanentBounce = (recipients = [{ emailAddress: ADDRESS, action: 'failed', status: '5.1.1', diagnosticCode: `smtp; 550 5.1.1 <${ADDRESS}>: user unknown` }]) =>
  sesEvent('Bounce', {
    bounce: {
      bounceType: 'Permanent',
      bounceSubType: 'General',
      bouncedRecipients: recipients,
      timestamp: '2026-11-20T10:15:02.669Z',
      feedbackId: '01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000',
      reportingMTA: 'dsn; mta.example.com',
    },
  });

describe('parseSesEvent', () => {
  it('an open becomes the same email_open behavior event the open pixel produces, for the tagged customer and send', () => {
    const parsed = parseSesEvent(
      sesEvent('Open', { open: { ipAddress: '198.51.100.1', timestamp: '2026-11-20T11:00:05.000Z', userAgent: 'Mozilla/5.0 (iPhone)' } }),
    );
    const expected = engagementEntry({ kind: 'open', customerId: CUSTOMER, sendId: SEND_ID, ruleId: RULE, at: new Date('2026-11-20T11:00:05Z') });
    expect(parsed).toEqual({
      type: 'parsed',
      eventType: 'Open',
      messageId: '010f019a9974b389-60efe038-3845-92e7-45c43cdc6ca2-000000',
      customerId: CUSTOMER,
      sendId: SEND_ID,
      actions: [{ type: 'engagement', entry: expected }],
    });
    expect(expected).toMatchObject({ source: TRACKING_SOURCE, detailType: 'email_open', detail: { customerId: CUSTOMER, occurredAt: '2026-11-20T11:00:05.000Z' } });
  });

  it('a click becomes email_click with the clicked URL; a click on Nudge\'s own link endpoint is left to that endpoint', () => {
    const click = (link: string) =>
      sesEvent('Click', { click: { ipAddress: '198.51.100.1', link, linkTags: { campaign: ['winter'] }, timestamp: '2026-11-20T11:01:00.000Z', userAgent: 'Mozilla/5.0' } });
    const parsed = parseSesEvent(click('https://shop.example/cart?utm_source=nudge'), { ownLinkBase: 'https://links.example/' });
    expect(parsed.type === 'parsed' && parsed.actions).toEqual([
      {
        type: 'engagement',
        entry: engagementEntry({ kind: 'click', customerId: CUSTOMER, sendId: SEND_ID, ruleId: RULE, url: 'https://shop.example/cart?utm_source=nudge', at: new Date('2026-11-20T11:01:00Z') }),
      },
    ]);
    const own = parseSesEvent(click('https://links.example/c/eyJhIjoiY2xpY2sifQ.sig'), { ownLinkBase: 'https://links.example/' });
    expect(own.type === 'parsed' && own.actions).toEqual([{ type: 'ignore', reason: expect.stringContaining("Nudge's own link endpoint") }]);
  });

  it('opens and clicks without Nudge tags are skipped with a reason, not guessed from the address', () => {
    for (const tags of [null, nudgeTags({ customer: [] }), nudgeTags({ sendId: [''] }), nudgeTags({ customer: ['not base64url!'] })]) {
      const parsed = parseSesEvent(sesEvent('Open', { open: { timestamp: '2026-11-20T11:00:05.000Z' } }, tags));
      expect(parsed.type).toBe('parsed');
      expect(parsed.type === 'parsed' && parsed.actions).toEqual([{ type: 'ignore', reason: expect.stringContaining('no Nudge customer/sendId tags') }]);
    }
  });

  it('a permanent bounce suppresses each bounced recipient at once (address without display name) and records the outcome; no address in the detail', () => {
    const parsed = parseSesEvent(
      permanentBounce([
        { emailAddress: ADDRESS, action: 'failed', status: '5.1.1', diagnosticCode: `smtp; 550 5.1.1 <${ADDRESS}>: user unknown` },
        { emailAddress: 'Other Person <other@example.org>', action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' },
      ]),
    );
    expect(parsed.type === 'parsed' && parsed.actions).toEqual([
      { type: 'suppress', email: ADDRESS, reason: 'hard_bounce', at: new Date('2026-11-20T10:15:02.669Z'), detail: 'Permanent/General: smtp; 550 5.1.1 <[address]>: user unknown' },
      { type: 'suppress', email: 'other@example.org', reason: 'hard_bounce', at: new Date('2026-11-20T10:15:02.669Z'), detail: expect.any(String) },
      { type: 'send_outcome', customerId: CUSTOMER, sendId: SEND_ID, outcome: 'bounced', at: new Date('2026-11-20T10:15:02.669Z'), detail: expect.stringContaining('Permanent/General') },
    ]);
    expect(JSON.stringify(parsed.type === 'parsed' && parsed.actions.map((a) => ('detail' in a ? a.detail : '')))).not.toMatch(/jane|example\.com/i);
  });

  it('a permanent bounce of an untagged message still suppresses the address (suppression needs only the address)', () => {
    const event = permanentBounce();
    delete (event.detail.mail as { tags?: unknown }).tags;
    const parsed = parseSesEvent(event);
    expect(parsed.type === 'parsed' && parsed.actions.map((a) => a.type)).toEqual(['suppress', 'ignore']);
  });

  it('transient and undetermined bounces suppress nothing; the send is still marked bounced', () => {
    for (const bounceType of ['Transient', 'Undetermined']) {
      const parsed = parseSesEvent(
        sesEvent('Bounce', {
          bounce: {
            bounceType,
            bounceSubType: bounceType === 'Transient' ? 'MailboxFull' : 'Undetermined',
            bouncedRecipients: [{ emailAddress: ADDRESS, status: '4.2.2', diagnosticCode: 'smtp; 452 4.2.2 mailbox full', action: 'failed' }],
            timestamp: '2026-11-20T12:00:00.000Z',
          },
        }),
      );
      expect(parsed.type).toBe('parsed');
      if (parsed.type !== 'parsed') continue;
      expect(parsed.actions.some((a) => a.type === 'suppress')).toBe(false);
      expect(parsed.actions).toContainEqual({ type: 'ignore', reason: expect.stringContaining('not suppressed') });
      expect(parsed.actions).toContainEqual(expect.objectContaining({ type: 'send_outcome', outcome: 'bounced' }));
    }
  });

  it('a complaint suppresses each complaining recipient and records the outcome; a "not-spam" report does neither', () => {
    const complaint = (feedbackType: string | null) =>
      sesEvent('Complaint', {
        complaint: {
          feedbackId: '0100018d-5678-abcd-ef01-234567890def-000000',
          complaintSubType: null,
          complainedRecipients: [{ emailAddress: ADDRESS }],
          timestamp: '2026-11-21T08:00:00.000Z',
          userAgent: 'Yahoo!-Mail-Feedback/2.0',
          complaintFeedbackType: feedbackType,
          arrivalDate: '2026-11-21T07:59:00.000Z',
        },
      });
    const parsed = parseSesEvent(complaint('abuse'));
    expect(parsed.type === 'parsed' && parsed.actions).toEqual([
      { type: 'suppress', email: ADDRESS, reason: 'complaint', at: new Date('2026-11-21T08:00:00Z'), detail: 'complaint (abuse)' },
      { type: 'send_outcome', customerId: CUSTOMER, sendId: SEND_ID, outcome: 'complained', at: new Date('2026-11-21T08:00:00Z'), detail: 'complaint (abuse)' },
    ]);
    // Some mailbox providers send no feedback type at all: still a complaint.
    expect(parseSesEvent(complaint(null))).toMatchObject({ actions: [{ type: 'suppress', detail: 'complaint (no feedback type)' }, { type: 'send_outcome' }] });
    expect(parseSesEvent(complaint('not-spam'))).toMatchObject({ actions: [{ type: 'ignore' }] });
  });

  it('a delivery records the outcome; a reject (virus) records it without suppressing', () => {
    const delivery = parseSesEvent(
      sesEvent('Delivery', {
        delivery: { timestamp: '2026-11-20T10:15:01.546Z', processingTimeMillis: 546, recipients: [ADDRESS], smtpResponse: '250 ok', reportingMTA: 'a8-70.smtp-out.amazonses.com' },
      }),
    );
    expect(delivery.type === 'parsed' && delivery.actions).toEqual([
      { type: 'send_outcome', customerId: CUSTOMER, sendId: SEND_ID, outcome: 'delivered', at: new Date('2026-11-20T10:15:01.546Z') },
    ]);
    const reject = parseSesEvent(sesEvent('Reject', { reject: { reason: 'Bad content' } }));
    expect(reject.type === 'parsed' && reject.actions).toEqual([
      { type: 'send_outcome', customerId: CUSTOMER, sendId: SEND_ID, outcome: 'rejected', at: new Date('2026-11-20T10:15:31Z'), detail: 'Bad content' },
    ]);
  });

  it('sends, delivery delays, rendering failures, subscriptions and unknown types are ignored with a reason', () => {
    const cases: Array<[SesEventType | 'Teleported', Record<string, unknown>]> = [
      ['Send', { send: {} }],
      ['DeliveryDelay', { deliveryDelay: { timestamp: '2026-11-20T10:20:00.000Z', delayType: 'TransientCommunicationFailure', delayedRecipients: [{ emailAddress: ADDRESS, status: '4.4.1' }] } }],
      ['Rendering Failure', { failure: { errorMessage: 'Attribute name is missing', templateName: 'x' } }],
      ['Subscription', { subscription: { contactList: 'list', timestamp: '2026-11-20T10:20:00.000Z' } }],
      ['Teleported', {}],
    ];
    for (const [eventType, body] of cases) {
      const event = sesEvent('Send', body);
      (event.detail as { eventType: string }).eventType = eventType;
      const parsed = parseSesEvent(event);
      expect(parsed.type === 'parsed' && parsed.actions, eventType).toEqual([{ type: 'ignore', reason: expect.any(String) }]);
    }
  });

  it('accepts unknown fields anywhere, and falls back to the envelope time when the event has no timestamp of its own', () => {
    const parsed = parseSesEvent({ ...sesEvent('Open', { open: { userAgent: 'x', somethingNew: { nested: true } }, alsoNew: 1 }), extra: 'field' });
    expect(parsed).toMatchObject({ type: 'parsed', actions: [{ type: 'engagement', entry: { detail: { occurredAt: '2026-11-20T10:15:31.000Z' } } }] });
  });

  it('malformed events are reported with the reason: not SES, no mail, no recipients, no link, no usable time', () => {
    const noMail = sesEvent('Open', { open: {} });
    delete (noMail.detail as { mail?: unknown }).mail;
    const noTime = sesEvent('Open', { open: { timestamp: 'yesterday' } });
    (noTime as { time: string }).time = 'soon';
    (noTime.detail.mail as { timestamp: string }).timestamp = 'earlier';
    const cases: Array<[unknown, RegExp]> = [
      [null, /\(event\)/],
      ['{"source":"aws.ses"}', /\(event\)/],
      [{ ...sesEvent('Open', { open: {} }), source: 'shop.web' }, /source/],
      [noMail, /detail\.mail/],
      [permanentBounce([]), /Bounce event: bounce\.bouncedRecipients/],
      [sesEvent('Click', { click: { timestamp: '2026-11-20T11:01:00.000Z' } }), /Click event: click\.link/],
      [sesEvent('Complaint', {}), /Complaint event: complaint/],
      [noTime, /no valid timestamp/],
    ];
    for (const [event, reason] of cases) {
      const parsed = parseSesEvent(event);
      expect(parsed.type, String(reason)).toBe('malformed');
      expect(parsed.type === 'malformed' && parsed.reason).toMatch(reason);
    }
  });
});

describe('address privacy helpers', () => {
  it('maskAddress keeps the first character and the domain only', () => {
    expect(maskAddress('jane.doe@example.com')).toBe('j***@example.com');
    expect(maskAddress('Jane <jane.doe@example.com>')).toBe('j***@example.com');
    expect(maskAddress('nonsense')).toBe('***');
  });

  it('redactAddresses removes every address from an SMTP diagnostic', () => {
    expect(redactAddresses('550 5.1.1 <a.b+c@x.example>: unknown; also d@y.example rejected')).toBe('550 5.1.1 <[address]>: unknown; also [address] rejected');
  });
});
