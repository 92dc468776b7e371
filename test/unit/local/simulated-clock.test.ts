import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseDuration, SimulatedClock } from '#local/clock/simulated-clock.ts';

describe('SimulatedClock', () => {
  it('follows real time plus what it was advanced by', () => {
    let real = 1_000_000;
    const clock = new SimulatedClock(() => real);
    clock.advance(parseDuration('25h'));
    real += 5;
    expect(clock.now().getTime()).toBe(1_000_000 + 25 * 3_600_000 + 5);
  });

  describe('standing still (a replay\'s clock)', () => {
    afterEach(() => vi.useRealTimers());

    // A replay's decisions must not depend on how long processing took: whatever real time passes,
    // the reading is where the last jump put it, plus nothing.
    it('reads the same however much real time passes between jumps', () => {
      vi.useFakeTimers({ now: 1_000_000 });
      const clock = SimulatedClock.standingStill(new Date('2027-01-04T00:00:00Z'));
      for (const [realMs, jumpTo] of [[1, undefined], [2_500, '2027-01-11T00:00:00Z'], [60_000, undefined], [7_000, '2027-01-10T00:00:00Z'], [123_456, '2027-01-12T03:00:00Z']] as const) {
        const before = clock.now().getTime();
        vi.advanceTimersByTime(realMs);
        expect(clock.now().getTime()).toBe(before);
        if (jumpTo) expect(clock.advanceTo(new Date(jumpTo)).getTime()).toBe(Math.max(before, Date.parse(jumpTo)));
      }
      expect(clock.now().toISOString()).toBe('2027-01-12T03:00:00.000Z');
    });
  });

  it('advances to a later instant and ignores an earlier one', () => {
    const clock = new SimulatedClock(() => 0);
    clock.advanceTo(new Date(5000));
    clock.advanceTo(new Date(1000));
    expect(clock.now().getTime()).toBe(5000);
    expect(() => clock.advance(-1)).toThrow(/only moves forward/);
  });
});

describe('parseDuration', () => {
  it.each([
    ['25h', 90_000_000],
    ['90m', 5_400_000],
    ['1d12h', 129_600_000],
    ['2w', 1_209_600_000],
    ['1500ms', 1500],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '25', 'h', '5x', '1h oops'])('rejects %j', (text) => expect(() => parseDuration(text)).toThrow(/not a duration/));
});
