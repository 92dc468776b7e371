import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PacedEmailSender } from '#shared/adapters/ses/paced-email-sender.ts';
import { MAX_PACING_WAIT_MS, pacingSettings, reserveSendSlot, type PacingSettings, type SendSlotStore, type SlotReservation } from '#shared/domain/send-pacing.ts';
import { ScriptedSender } from '../support/fakes.ts';

/** The schedule in memory, reserved as the DynamoDB store does (one `tat`). */
class MemorySlots implements SendSlotStore {
  tat: number | undefined;
  async reserve(now: number, settings: PacingSettings): Promise<SlotReservation> {
    const reservation = reserveSendSlot(this.tat, now, settings);
    if (reservation.type === 'granted') this.tat = reservation.nextTat;
    return reservation;
  }
}

describe('send pacing', () => {
  it('whatever the arrivals, granted slots never exceed the rate: in any window of T ms, at most T x rate / 1000 + half a second of burst + 1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 1, maxLength: 400 }), (rate, gaps) => {
        const settings = pacingSettings(rate);
        let tat: number | undefined;
        let now = 0;
        const slots: number[] = [];
        for (const gap of gaps) {
          now += gap;
          const r = reserveSendSlot(tat, now, settings);
          if (r.type === 'granted') {
            expect(r.slotAt - now).toBeLessThanOrEqual(settings.maxWaitMs);
            tat = r.nextTat;
            slots.push(r.slotAt);
          } else {
            expect(r.retryAfterMs).toBeGreaterThan(settings.maxWaitMs);
          }
        }
        for (let i = 0; i < slots.length; i++) {
          for (let j = i; j < slots.length; j++) {
            const windowMs = slots[j]! - slots[i]!;
            expect(j - i + 1).toBeLessThanOrEqual((windowMs * rate) / 1000 + Math.floor(rate / 2) + 1 + 1e-9);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a backlog is served at the rate (within the 3% headroom), not below it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), (rate) => {
        const settings = pacingSettings(rate);
        let tat: number | undefined;
        let now = 0;
        let granted = 0;
        // Dispatchers always waiting: each asks again the moment its last slot came.
        while (now < 60_000) {
          const r = reserveSendSlot(tat, now, settings);
          if (r.type !== 'granted') throw new Error('a waiting backlog is never throttled');
          tat = r.nextTat;
          granted++;
          now = Math.max(now, r.slotAt);
        }
        expect(granted / 60).toBeGreaterThanOrEqual(rate * 0.96);
        expect(granted / 60).toBeLessThanOrEqual(rate + rate / 2 / 60 + 1 / 60);
      }),
    );
  });

  it('a slot beyond the longest wait is not taken: throttled with the time until it, and the schedule unchanged', () => {
    const settings = pacingSettings(1);
    const busy = 100_000 + MAX_PACING_WAIT_MS + 500;
    expect(reserveSendSlot(busy, 100_000, settings)).toEqual({ type: 'throttled', retryAfterMs: MAX_PACING_WAIT_MS + 500 });
  });

  it('the paced sender waits for its slot before it sends, and reports a slot too far ahead as throttled without sending', async () => {
    let now = 1_000_000;
    const slots = new MemorySlots();
    const inner = new ScriptedSender();
    const sender = new PacedEmailSender(inner, { slots, maxSendRate: async () => 100, wallClock: () => now });
    const email = { to: 'a@example.com', subject: 's', html: 'h', text: 't', headers: [], tags: {} };
    expect(await sender.send(email)).toMatchObject({ type: 'sent' });
    slots.tat = now + MAX_PACING_WAIT_MS + 2_000;
    const throttled = await sender.send(email);
    expect(throttled).toMatchObject({ type: 'throttled', retryAfterSeconds: (MAX_PACING_WAIT_MS + 2_000) / 1000 });
    expect(inner.sent).toHaveLength(1);
    // A slot 30 ms ahead: the sender sleeps (real time) until it.
    slots.tat = undefined;
    now = Date.now();
    const sender2 = new PacedEmailSender(inner, { slots, maxSendRate: async () => 100, wallClock: Date.now });
    slots.tat = now + 30 + pacingSettings(100).burstMs;
    const started = Date.now();
    await sender2.send(email);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(inner.sent).toHaveLength(2);
  });
});
