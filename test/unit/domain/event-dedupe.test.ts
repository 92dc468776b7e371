import { describe, expect, it } from 'vitest';
import { containsDigest, eventDigest, hasSeenEvent, rememberEvent, RECENT_EVENT_WINDOW } from '#shared/domain/event-dedupe.ts';

describe('event dedupe window', () => {
  it('recognises an event it remembered', () => {
    const recent = rememberEvent(rememberEvent('', 'a'), 'b');
    expect(hasSeenEvent(recent, 'a')).toBe(true);
    expect(hasSeenEvent(recent, 'b')).toBe(true);
    expect(hasSeenEvent(recent, 'c')).toBe(false);
  });

  it('keeps a fixed number of digests, forgetting the oldest first', () => {
    let recent = '';
    for (let i = 0; i <= RECENT_EVENT_WINDOW; i++) recent = rememberEvent(recent, `evt-${i}`);
    expect(recent.length).toBe(RECENT_EVENT_WINDOW * eventDigest('x').length);
    expect(hasSeenEvent(recent, 'evt-0')).toBe(false);
    expect(hasSeenEvent(recent, 'evt-1')).toBe(true);
    expect(hasSeenEvent(recent, `evt-${RECENT_EVENT_WINDOW}`)).toBe(true);
  });

  it('only matches whole digests, never across digest boundaries', () => {
    const recent = 'AAABBBCCCDDD';
    expect(containsDigest(recent, 'CCCDDD')).toBe(true);
    expect(containsDigest(recent, 'BBBCCC')).toBe(false);
  });
});
