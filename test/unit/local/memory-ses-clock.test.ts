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
          expect(memory.emails).toHaveLength(sends);
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
});
