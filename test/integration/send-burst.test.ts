import { describe, expect, it } from 'vitest';
import { measureSendBurst } from '../../bench/send-burst.ts';

/**
 * A burst released at once against a rate-limited local SES (its own local system, SES at 10/s: on this 2-core machine under load the local system itself drains ~13/s, so a higher limit would measure the machine, not the pacing):
 * the dispatcher paces to the account's rate (read from GetAccount), so every send is delivered,
 * none is dead-lettered, and the limit is used (a quick size of `npm run bench`'s 10,000 at 14/s).
 */
describe('send burst against a rate-limited SES', () => {
  it('200 sends released at once at a 10/s limit: all delivered, none dead-lettered, at >= 90% of the limit', { timeout: 300_000 }, async () => {
    const figures = await measureSendBurst({ sends: 200, maxSendRate: 10, progress: () => undefined, timeoutMs: 120_000 });
    console.log(`send burst: ${JSON.stringify(figures)}`);
    expect(figures.deadLettered).toBe(0);
    expect(figures.delivered).toBe(200);
    expect(figures.rateToLimit).toBeGreaterThanOrEqual(0.9);
  });
});
