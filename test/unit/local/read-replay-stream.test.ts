import { describe, expect, it } from 'vitest';
import { readReplayStream } from '#local/replay/read-replay-stream.ts';

const entry = (time: string, id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ Time: time, Source: 'shop.web', DetailType: 'page_view', Detail: JSON.stringify({ eventId: id, customerId: 'c1', occurredAt: time, properties: {} }), ...extra });

describe('readReplayStream', () => {
  it('reads PutEvents entries (Detail as a string or an object) and archived EventBridge events, in time order', () => {
    const archived = JSON.stringify({
      version: '0',
      id: 'a1',
      'detail-type': 'purchase',
      source: 'shop.web',
      account: '123456789012',
      time: '2027-01-04T10:00:00Z',
      region: 'eu-west-1',
      resources: [],
      detail: { eventId: 'e3', customerId: 'c1', occurredAt: '2027-01-04T10:00:00Z', properties: { orderId: 'o1', amount: 10 } },
    });
    const objectDetail = JSON.stringify({ Source: 'shop.web', DetailType: 'search', Detail: { eventId: 'e2', customerId: 'c1', occurredAt: '2027-01-04T09:30:00Z', properties: {} } });
    const stream = readReplayStream([entry('2027-01-04T11:00:00Z', 'e4', { EventBusName: 'prod-bus' }), archived, objectDetail, entry('2027-01-04T09:00:00Z', 'e1')].join('\n'));

    expect(stream.skipped).toEqual([]);
    expect(stream.events.map((e) => [e.Time, e.DetailType, e.Detail.eventId])).toEqual([
      ['2027-01-04T09:00:00.000Z', 'page_view', 'e1'],
      // No Time: the detail's occurredAt.
      ['2027-01-04T09:30:00.000Z', 'search', 'e2'],
      ['2027-01-04T10:00:00.000Z', 'purchase', 'e3'],
      ['2027-01-04T11:00:00.000Z', 'page_view', 'e4'],
    ]);
    // Every event goes on the replay system's own bus.
    expect(stream.events.every((e) => e.EventBusName === undefined)).toBe(true);
  });

  it('keeps the file order of events at the same instant', () => {
    const stream = readReplayStream([entry('2027-01-04T09:00:00Z', 'b'), entry('2027-01-04T09:00:00Z', 'a')].join('\n'));
    expect(stream.events.map((e) => e.Detail.eventId)).toEqual(['b', 'a']);
  });

  it('skips lines that are not events, naming the line and the reason', () => {
    const text = [
      entry('2027-01-04T09:00:00Z', 'ok'),
      '{not json',
      JSON.stringify({ Source: 'shop.web', Detail: '{}' }),
      JSON.stringify({ Source: 'shop.web', DetailType: 'page_view', Detail: '[1,2]', Time: '2027-01-04T09:00:00Z' }),
      JSON.stringify({ Source: 'shop.web', DetailType: 'page_view', Detail: {} }),
      JSON.stringify({ version: '0', id: 'x', 'detail-type': 'purchase', source: 'shop.web', time: 'yesterday', detail: {} }),
      '',
    ].join('\n');
    const stream = readReplayStream(text);
    expect(stream.events).toHaveLength(1);
    expect(stream.skipped.map((s) => s.line)).toEqual([2, 3, 4, 5, 6]);
    expect(stream.skipped[0]!.reason).toMatch(/^not JSON/);
    expect(stream.skipped[1]!.reason).toMatch(/DetailType/);
    expect(stream.skipped[2]!.reason).toBe('Detail: not a JSON object');
    expect(stream.skipped[3]!.reason).toMatch(/^Time: missing/);
    expect(stream.skipped[4]!.reason).toMatch(/not an EventBridge event: time/);
  });

  it('keeps only events from --from (inclusive) to --to (exclusive), counting the rest', () => {
    const text = ['08', '09', '10', '11'].map((hour) => entry(`2027-01-04T${hour}:00:00Z`, hour)).join('\n');
    const stream = readReplayStream(text, { from: new Date('2027-01-04T09:00:00Z'), to: new Date('2027-01-04T11:00:00Z') });
    expect(stream.events.map((e) => e.Detail.eventId)).toEqual(['09', '10']);
    expect(stream.filteredOut).toBe(2);
  });
});
