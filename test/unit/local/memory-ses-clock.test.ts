import fc from 'fast-check';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pacingSettings, reserveSendSlot } from '#shared/domain/send-pacing.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { SesSendingLimits } from '#local/emulators/ses-sending-limits.ts';
import { MemoryAws, type MemoryAwsTargets } from '#local/memory/memory-aws.ts';

/**
 * The fast replay's SES against a replay's clock, which stands still between jumps: the dispatcher
 * paces sends to the account's rate in real time (PacedEmailSender), so SES must count that rate in
 * real time too, as the local SES of the emulator mode does. Counted on the standing clock, every
 * paced send of a burst lands in one simulated instant and the bucket never refills.
 */
describe('the fast replay\'s SES rate under a clock that stands still', () => {
  afterEach(() => vi.useRealTimers());

  it('accepts every send of a burst paced to the account\'s rate, whatever its size and the rate', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 30 }), async (sends, maxSendRate) => {
        vi.useFakeTimers({ toFake: ['Date'], now: 1_800_000_000_000 });
        const standing = new Date('2027-01-11T09:00:00Z');
        const memory = new MemoryAws(() => standing);
        const limits = new SesSendingLimits({ maxSendRate, max24HourSend: 50_000, sandbox: false, verifiedIdentities: [] });
        memory.attach({ ses: { account: { identities: ['example.com'], configurationSets: new Map() }, limits, publish: () => undefined } } as unknown as MemoryAwsTargets);
        const uninstall = memory.install();
        const ses = new SESv2Client({ region: LOCAL_REGION, credentials: localCredentials });
        try {
          const settings = pacingSettings(maxSendRate);
          let tat: number | undefined;
          for (let index = 0; index < sends; index++) {
            // Each send at the slot the pacing gives it, as PacedEmailSender waits for it (real time).
            const slot = reserveSendSlot(tat, Date.now(), settings);
            if (slot.type === 'throttled') {
              vi.setSystemTime(Date.now() + slot.retryAfterMs);
              index -= 1;
              continue;
            }
            tat = slot.nextTat;
            if (slot.slotAt > Date.now()) vi.setSystemTime(slot.slotAt);
            await ses.send(new SendEmailCommand({ FromEmailAddress: 'shop@example.com', Destination: { ToAddresses: [`c${index}@example.com`] }, Content: { Simple: { Subject: { Data: 'hi' }, Body: { Text: { Data: 'hi' } } } } }));
          }
          expect(memory.emailsAccepted).toBe(sends);
          expect(limits.counters.throttled).toBe(0);
        } finally {
          ses.destroy();
          uninstall();
          vi.useRealTimers();
        }
      }),
      { numRuns: 40 },
    );
  });

  // The 24-hour quota counts the replay's days: a backtest of many simulated days sends each day's
  // mail within seconds of real time, and counted on real time it would hit one day's quota.
  it('gives each simulated day its own 24-hour quota, and refuses past it within a day', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }), async (quota, days) => {
        let simulated = new Date('2027-01-11T09:00:00Z').getTime();
        const memory = new MemoryAws(() => new Date(simulated));
        const limits = new SesSendingLimits({ maxSendRate: 1_000, max24HourSend: quota, sandbox: false, verifiedIdentities: [] });
        memory.attach({ ses: { account: { identities: ['example.com'], configurationSets: new Map() }, limits, publish: () => undefined } } as unknown as MemoryAwsTargets);
        const uninstall = memory.install();
        const ses = new SESv2Client({ region: LOCAL_REGION, credentials: localCredentials });
        const send = (index: number) =>
          ses.send(new SendEmailCommand({ FromEmailAddress: 'shop@example.com', Destination: { ToAddresses: [`c${index}@example.com`] }, Content: { Simple: { Subject: { Data: 'hi' }, Body: { Text: { Data: 'hi' } } } } }));
        try {
          for (let day = 0; day < days; day++) {
            for (let index = 0; index < quota; index++) await send(day * quota + index);
            await expect(send(-1)).rejects.toThrow('Daily message quota exceeded.');
            simulated += 86_400_001;
          }
          expect(limits.counters.accepted).toBe(quota * days);
          expect(limits.counters.overDailyQuota).toBe(days);
        } finally {
          ses.destroy();
          uninstall();
        }
      }),
      { numRuns: 25 },
    );
  });
});
