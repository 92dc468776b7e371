import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sesLimitsFromEnv } from '#local/config.ts';
import { SesSendingLimits } from '#local/emulators/ses-sending-limits.ts';

const limits = (config: Partial<ConstructorParameters<typeof SesSendingLimits>[0]> = {}) =>
  new SesSendingLimits({ maxSendRate: 14, max24HourSend: 50_000, sandbox: false, verifiedIdentities: [], ...config });

describe('the local SES account limits', () => {
  it('never accepts more than the rate allows: over any stretch, accepted <= rate x seconds + one second of burst', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 300 }), (rate, gaps) => {
        const ses = limits({ maxSendRate: rate });
        let now = 1_000_000;
        let accepted = 0;
        for (const gap of gaps) {
          now += gap;
          if (!ses.admit(['a@example.com'], now)) accepted++;
        }
        const seconds = (now - 1_000_000) / 1000;
        expect(accepted).toBeLessThanOrEqual(Math.floor(rate * seconds + Math.max(1, rate)) + 1e-9);
        expect(ses.counters.accepted + ses.counters.throttled).toBe(gaps.length);
      }),
    );
  });

  it('over the rate: TooManyRequestsException, 429, "Maximum sending rate exceeded."; a second later it accepts again', () => {
    const ses = limits({ maxSendRate: 2 });
    expect(ses.admit(['a@example.com'], 0)).toBeUndefined();
    expect(ses.admit(['b@example.com'], 0)).toBeUndefined();
    expect(ses.admit(['c@example.com'], 0)).toEqual({ status: 429, errorType: 'TooManyRequestsException', message: 'Maximum sending rate exceeded.' });
    expect(ses.admit(['c@example.com'], 1000)).toBeUndefined();
  });

  it('over the daily quota: TooManyRequestsException "Daily message quota exceeded." until sends leave the 24-hour window; GetAccount counts them', () => {
    const ses = limits({ maxSendRate: 100, max24HourSend: 3 });
    for (let i = 0; i < 3; i++) expect(ses.admit([`r${i}@example.com`], i * 1000)).toBeUndefined();
    expect(ses.sendQuota(5000)).toEqual({ Max24HourSend: 3, MaxSendRate: 100, SentLast24Hours: 3 });
    expect(ses.admit(['late@example.com'], 5000)).toEqual({ status: 429, errorType: 'TooManyRequestsException', message: 'Daily message quota exceeded.' });
    expect(ses.admit(['next-day@example.com'], 86_400_000 + 1)).toBeUndefined();
    expect(ses.counters).toMatchObject({ accepted: 4, overDailyQuota: 1 });
  });

  it('the sandbox: only verified addresses, verified domains and the mailbox simulator may be recipients; others get MessageRejected "Email address is not verified"', () => {
    const ses = limits({ sandbox: true, verifiedIdentities: ['ok@example.com', 'verified.org'] });
    expect(ses.admit(['OK@example.com'], 0)).toBeUndefined();
    expect(ses.admit(['anyone@verified.org'], 10_000)).toBeUndefined();
    expect(ses.admit(['success@simulator.amazonses.com'], 20_000)).toBeUndefined();
    expect(ses.admit(['stranger@example.com'], 30_000)).toEqual({
      status: 400,
      errorType: 'MessageRejected',
      message: expect.stringMatching(/^Email address is not verified\..*stranger@example\.com/),
    });
    expect(limits({ sandbox: false }).admit(['stranger@example.com'], 0)).toBeUndefined();
  });

  it('reads its settings from the env: AWS defaults (14/s, 50,000 a day; the sandbox 1/s, 200), and refuses nonsense', () => {
    expect(sesLimitsFromEnv({})).toEqual({ sandbox: false, maxSendRate: 14, max24HourSend: 50_000, verifiedIdentities: [] });
    expect(sesLimitsFromEnv({ NUDGE_SES_SANDBOX: '1', NUDGE_SES_VERIFIED_IDENTITIES: 'a@x.com, y.org' })).toEqual({ sandbox: true, maxSendRate: 1, max24HourSend: 200, verifiedIdentities: ['a@x.com', 'y.org'] });
    expect(sesLimitsFromEnv({ NUDGE_SES_MAX_SEND_RATE: '40' }).maxSendRate).toBe(40);
    expect(() => sesLimitsFromEnv({ NUDGE_SES_MAX_SEND_RATE: '0' })).toThrow('NUDGE_SES_MAX_SEND_RATE=0');
    expect(() => sesLimitsFromEnv({ NUDGE_SES_SANDBOX: 'yes' })).toThrow('NUDGE_SES_SANDBOX');
  });
});
