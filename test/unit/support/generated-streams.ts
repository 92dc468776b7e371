import { expect } from 'vitest';
import { parseBehaviorEvent } from '../../../shared/contract/index.ts';

/** A generated PutEvents line as the generators write it. */
type Entry = { Source: string; DetailType: string; Time: string; Detail: Record<string, unknown> };

/** What every generated stream must be: events the contract accepts, unique event ids, in time order, each put at its own time. */
export function expectValidStream(entries: readonly Entry[]): void {
  const rejected = entries
    .map((entry) => ({ entry, result: parseBehaviorEvent({ source: entry.Source, detailType: entry.DetailType, detail: entry.Detail }) }))
    .filter(({ result }) => !result.ok);
  expect(rejected).toEqual([]);
  expect(new Set(entries.map((entry) => entry.Detail.eventId)).size).toBe(entries.length);
  const times = entries.map((entry) => entry.Time);
  expect([...times].sort()).toEqual(times);
  expect(entries.every((entry) => entry.Detail.occurredAt === entry.Time)).toBe(true);
}
