/**
 * Pacing the dispatcher to SES's maximum send rate: one shared schedule of send slots (the generic
 * cell rate algorithm), kept in one item that every concurrent dispatcher reserves from, so the
 * account's rate holds however many invocations run. Pure: times are epoch ms passed in.
 *
 * `tat` (theoretical arrival time) is when the next slot is free. A send takes the slot at
 * max(tat, now - burst) and moves tat one interval on; a slot further ahead than `maxWaitMs` is not
 * taken: the send is deferred (re-queued) instead of keeping a Lambda waiting.
 */
export type PacingSettings = {
  /** Milliseconds between sends at the paced rate. */
  intervalMs: number;
  /** How far behind `now` an idle schedule may start: after a pause, this many ms of sends go at once. */
  burstMs: number;
  /** The longest a dispatcher waits for its slot; beyond it the send is deferred. */
  maxWaitMs: number;
};

export type SlotReservation =
  | { type: 'granted'; slotAt: number; nextTat: number }
  | { type: 'throttled'; retryAfterMs: number };

/** Paced a little under the account's rate: a send's arrival at SES jitters by some ms around its slot. */
export const PACING_HEADROOM = 0.97;
/** A dispatcher waits at most this long for a slot (the dispatcher's timeout is 30 s; a batch is 10 sends). */
export const MAX_PACING_WAIT_MS = 10_000;

/**
 * Settings for an account allowed `maxSendRate` emails/s. The burst is half a second of sends, and
 * none below 2/s: SES absorbs short bursts (about a second's worth), and half of it is left for jitter.
 */
export function pacingSettings(maxSendRate: number): PacingSettings {
  if (!(maxSendRate > 0)) throw new Error(`the maximum send rate must be above 0 (got ${maxSendRate})`);
  const intervalMs = 1000 / (maxSendRate * PACING_HEADROOM);
  return { intervalMs, burstMs: Math.floor(maxSendRate / 2) * intervalMs, maxWaitMs: MAX_PACING_WAIT_MS };
}

/** The slot for one send, given the stored `tat` (undefined: never used). */
export function reserveSendSlot(tat: number | undefined, now: number, settings: PacingSettings): SlotReservation {
  const slotAt = Math.max(tat ?? Number.NEGATIVE_INFINITY, now - settings.burstMs);
  if (slotAt - now > settings.maxWaitMs) return { type: 'throttled', retryAfterMs: slotAt - now };
  return { type: 'granted', slotAt, nextTat: slotAt + settings.intervalMs };
}

/** Where the shared schedule lives (a DynamoDB item in AWS). */
export interface SendSlotStore {
  /** Reserves one slot atomically against every concurrent caller. */
  reserve(now: number, settings: PacingSettings): Promise<SlotReservation>;
}
