import { setTimeout as sleep } from 'node:timers/promises';
import type { EmailSender, EmailSendResult, OutgoingEmail } from '../../domain/ports.ts';
import { pacingSettings, type SendSlotStore } from '../../domain/send-pacing.ts';

export type PacingDeps = {
  slots: SendSlotStore;
  /** The account's maximum send rate now (emails/s). */
  maxSendRate: () => Promise<number>;
  /** Real time (ms): pacing waits real seconds, whatever a simulated clock says. */
  wallClock: () => number;
};

/**
 * An EmailSender that keeps to SES's maximum send rate: each email waits for its slot in the
 * schedule every dispatcher shares; when the slot is too far ahead it is not sent but `throttled`
 * (the dispatcher re-queues it for about then), exactly as if SES had throttled it.
 */
export class PacedEmailSender implements EmailSender {
  constructor(
    private readonly inner: EmailSender,
    private readonly pacing: PacingDeps,
  ) {}

  async send(email: OutgoingEmail): Promise<EmailSendResult> {
    const rate = await this.pacing.maxSendRate();
    const reservation = await this.pacing.slots.reserve(this.pacing.wallClock(), pacingSettings(rate));
    if (reservation.type === 'throttled') {
      return { type: 'throttled', reason: `paced: the next free slot at ${rate} emails/s is ${Math.round(reservation.retryAfterMs)} ms away`, retryAfterSeconds: reservation.retryAfterMs / 1000 };
    }
    const wait = reservation.slotAt - this.pacing.wallClock();
    if (wait > 0) await sleep(wait);
    return this.inner.send(email);
  }
}
