import { describe, expect, it } from 'vitest';
import { parseDuration, SimulatedClock } from '#local/clock/simulated-clock.ts';

describe('SimulatedClock', () => {
  it('follows real time plus what it was advanced by', () => {
    let real = 1_000_000;
    const clock = new SimulatedClock(() => real);
    clock.advance(parseDuration('25h'));
    real += 5;
    expect(clock.now().getTime()).toBe(1_000_000 + 25 * 3_600_000 + 5);
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
