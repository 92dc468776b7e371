import { describe, expect, it } from 'vitest';
import type { BusEvent } from '#local/eventbridge/event-bus.ts';
import { EventLog, parseEventLogQuery } from '#local/eventbridge/event-log.ts';

let sequence = 0;
const event = (source: string, detailType: string, detail: Record<string, unknown> = {}): BusEvent => {
  sequence += 1;
  return {
    version: '0',
    id: `e-${sequence}`,
    'detail-type': detailType,
    source,
    account: '123456789012',
    time: '2026-11-23T10:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
  };
};
const ids = (events: BusEvent[]) => events.map((e) => e.id);

describe('EventLog', () => {
  it('returns matching events oldest first, newest last', () => {
    const log = new EventLog();
    const first = event('nudge', 'SegmentEntered', { customerId: 'c-1' });
    const other = event('shop.web', 'page_view', { customerId: 'c-1' });
    const second = event('nudge', 'SegmentExited', { customerId: 'c-1' });
    for (const e of [first, other, second]) log.record(e);
    expect(ids(log.query({ source: 'nudge' }))).toEqual([first.id, second.id]);
    expect(ids(log.query())).toEqual([first.id, other.id, second.id]);
  });

  it('filters by source, source prefix, detail-type and detail.customerId together', () => {
    const log = new EventLog();
    const wanted = event('nudge', 'SegmentEntered', { customerId: 'c-1', segment: 'vip' });
    for (const e of [
      wanted,
      event('nudge', 'SegmentEntered', { customerId: 'c-2' }),
      event('nudge', 'SegmentExited', { customerId: 'c-1' }),
      event('nudge.other', 'SegmentEntered', { customerId: 'c-1' }),
    ]) {
      log.record(e);
    }
    expect(ids(log.query({ source: 'nudge', detailType: 'SegmentEntered', customerId: 'c-1' }))).toEqual([wanted.id]);
    expect(log.query({ sourcePrefix: 'nudge', detailType: 'SegmentEntered', customerId: 'c-1' })).toHaveLength(2);
  });

  it('returns the newest `limit` matches', () => {
    const log = new EventLog();
    const events = Array.from({ length: 5 }, () => event('nudge', 'LifecycleStageChanged'));
    for (const e of events) log.record(e);
    expect(ids(log.query({ limit: 2 }))).toEqual(ids(events.slice(3)));
  });

  it('keeps only the last `capacity` events', () => {
    const log = new EventLog(3);
    const events = Array.from({ length: 5 }, () => event('shop.web', 'page_view'));
    for (const e of events) log.record(e);
    expect(log.length).toBe(3);
    expect(ids(log.query({ limit: 10 }))).toEqual(ids(events.slice(2)));
  });
});

describe('parseEventLogQuery', () => {
  it('reads the filters of GET /_nudge/events', () => {
    expect(parseEventLogQuery(new URLSearchParams('source=nudge&detailType=SegmentEntered&customerId=c-1&limit=5'))).toEqual({
      source: 'nudge',
      detailType: 'SegmentEntered',
      customerId: 'c-1',
      limit: 5,
    });
  });

  it('refuses an unknown filter or a bad limit instead of matching everything', () => {
    expect(() => parseEventLogQuery(new URLSearchParams('detail-type=x'))).toThrow(/unknown filter "detail-type"/);
    expect(() => parseEventLogQuery(new URLSearchParams('limit=0'))).toThrow(/limit/);
  });
});
