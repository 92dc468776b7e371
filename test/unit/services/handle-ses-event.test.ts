import { describe, expect, it } from 'vitest';
import type { Log } from '#shared/domain/ports.ts';
import { SEND_OUTCOME_RANK, type SendOutcome, type SendOutcomes } from '#shared/domain/ses-events.ts';
import { makeHandleSesEvent } from '#shared/services/handle-ses-event.ts';
import { InMemorySuppression, RecordingBehaviorBus } from '../support/fakes.ts';

const ADDRESS = 'jane.doe@example.com';
const CUSTOMER = 'cust-1';

class InMemoryOutcomes implements SendOutcomes {
  readonly records = new Map<string, { outcome: SendOutcome; at: string }>();
  async recordOutcome(input: { customerId: string; sendId: string; outcome: SendOutcome; at: Date }): Promise<'recorded' | 'unchanged'> {
    const key = `${input.customerId}/${input.sendId}`;
    const current = this.records.get(key);
    if (current && SEND_OUTCOME_RANK[current.outcome] >= SEND_OUTCOME_RANK[input.outcome]) return 'unchanged';
    this.records.set(key, { outcome: input.outcome, at: input.at.toISOString() });
    return 'recorded';
  }
}

class RecordingLog implements Log {
  readonly lines: string[] = [];
  private write = (message: string, ...extra: Array<Record<string, unknown>>) => void this.lines.push(JSON.stringify([message, ...extra]));
  debug = this.write;
  info = this.write;
  warn = this.write;
  error = this.write;
}

function setup() {
  const suppression = new InMemorySuppression();
  const bus = new RecordingBehaviorBus();
  const outcomes = new InMemoryOutcomes();
  const log = new RecordingLog();
  const handle = makeHandleSesEvent({ suppression, bus, outcomes, log, ownLinkBase: 'https://links.example' });
  return { suppression, bus, outcomes, log, handle };
}

function sesEvent(eventType: string, body: Record<string, unknown>) {
  return {
    'detail-type': 'irrelevant',
    source: 'aws.ses',
    time: '2026-11-20T10:15:31Z',
    detail: {
      eventType,
      mail: {
        messageId: 'msg-1',
        timestamp: '2026-11-20T10:15:00.000Z',
        destination: [ADDRESS],
        tags: { sendId: ['send-1'], rule: ['welcome'], customer: [Buffer.from(CUSTOMER).toString('base64url')] },
      },
      ...body,
    },
  };
}

const hardBounce = sesEvent('Bounce', {
  bounce: {
    bounceType: 'Permanent',
    bounceSubType: 'General',
    bouncedRecipients: [{ emailAddress: ADDRESS, diagnosticCode: `smtp; 550 5.1.1 <${ADDRESS}> user unknown` }],
    timestamp: '2026-11-20T10:15:02.000Z',
  },
});

describe('handleSesEvent', () => {
  it('a hard bounce suppresses the address and marks the send bounced; handling it twice changes nothing more', async () => {
    const { suppression, outcomes, handle } = setup();
    expect(await handle(hardBounce)).toMatchObject({ type: 'handled', suppressed: 1, outcome: 'recorded' });
    expect(await suppression.find(ADDRESS)).toMatchObject({ reason: 'hard_bounce', at: '2026-11-20T10:15:02.000Z' });
    expect(await handle(hardBounce)).toMatchObject({ type: 'handled', outcome: 'unchanged' });
    expect(outcomes.records.get(`${CUSTOMER}/send-1`)).toEqual({ outcome: 'bounced', at: '2026-11-20T10:15:02.000Z' });
  });

  it('a complaint after a hard bounce keeps the first reason; a late delivery does not hide the bounce', async () => {
    const { suppression, outcomes, handle } = setup();
    await handle(hardBounce);
    await handle(sesEvent('Complaint', { complaint: { complainedRecipients: [{ emailAddress: ADDRESS }], complaintFeedbackType: 'abuse', timestamp: '2026-11-21T00:00:00.000Z' } }));
    await handle(sesEvent('Delivery', { delivery: { timestamp: '2026-11-20T10:15:01.000Z' } }));
    expect((await suppression.find(ADDRESS))?.reason).toBe('hard_bounce');
    expect(outcomes.records.get(`${CUSTOMER}/send-1`)?.outcome).toBe('complained');
  });

  it('an open and a click go on the bus as behavior events; duplicates carry the same eventId', async () => {
    const { bus, handle } = setup();
    const open = sesEvent('Open', { open: { timestamp: '2026-11-20T11:00:00.000Z' } });
    await handle(open);
    await handle(open);
    await handle(sesEvent('Click', { click: { timestamp: '2026-11-20T11:00:10.000Z', link: 'https://shop.example/p/1' } }));
    await handle(sesEvent('Click', { click: { timestamp: '2026-11-20T11:00:10.000Z', link: 'https://links.example/c/token' } }));
    expect(bus.entries.map((e) => [e.detailType, e.detail.customerId])).toEqual([
      ['email_open', CUSTOMER],
      ['email_open', CUSTOMER],
      ['email_click', CUSTOMER],
    ]);
    expect(bus.entries[0]!.detail.eventId).toBe(bus.entries[1]!.detail.eventId);
  });

  it('a transient bounce suppresses nothing; a malformed event is reported, not thrown', async () => {
    const { suppression, handle } = setup();
    const result = await handle(
      sesEvent('Bounce', { bounce: { bounceType: 'Transient', bounceSubType: 'MailboxFull', bouncedRecipients: [{ emailAddress: ADDRESS }] } }),
    );
    expect(result).toMatchObject({ type: 'handled', suppressed: 0, ignored: [expect.stringContaining('not suppressed')] });
    expect(await suppression.find(ADDRESS)).toBeUndefined();
    expect(await handle({ source: 'aws.ses', detail: {} })).toMatchObject({ type: 'malformed' });
  });

  it('a fault in a port propagates, so Lambda retries the event', async () => {
    const { handle, suppression } = setup();
    suppression.add = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };
    await expect(handle(hardBounce)).rejects.toThrow('ProvisionedThroughputExceededException');
  });

  it('never logs a whole email address', async () => {
    const { log, handle } = setup();
    await handle(hardBounce);
    await handle(sesEvent('Complaint', { complaint: { complainedRecipients: [{ emailAddress: ADDRESS }], timestamp: '2026-11-21T00:00:00.000Z' } }));
    expect(log.lines.join('\n')).toContain('j***@example.com');
    expect(log.lines.join('\n')).not.toContain(ADDRESS);
  });
});
