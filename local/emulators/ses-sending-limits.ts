import { isVerified } from './ses-account.ts';
/**
 * The account limits SES enforces on SendEmail, for the local SES: the sandbox (only verified
 * identities may be recipients), the maximum send rate and the 24-hour quota, each refused with the
 * error AWS returns. Pure: the caller passes `now` (ms); the HTTP side is ses-local.ts.
 */
export type SesLimitsConfig = {
  /** Emails per second (SES default for an account out of the sandbox: 14; in the sandbox: 1). */
  maxSendRate: number;
  /** Emails per rolling 24 hours (sandbox: 200). */
  max24HourSend: number;
  /** The SES sandbox: recipients must be verified identities (or the mailbox simulator). */
  sandbox: boolean;
  /** Verified identities: addresses, or domains (every address at the domain). */
  verifiedIdentities: string[];
};

/** AWS's error, as the SESv2 REST-JSON protocol carries it (status, `x-amzn-ErrorType`, `{ message }`). */
export type SesRefusal = { status: number; errorType: string; message: string };

export type SesLimitCounters = { accepted: number; throttled: number; overDailyQuota: number; notVerified: number };

const DAY_MS = 86_400_000;

export class SesSendingLimits {
  readonly counters: SesLimitCounters = { accepted: 0, throttled: 0, overDailyQuota: 0, notVerified: 0 };
  private tokens: number;
  private refilledAt: number | undefined;
  /** Send times of the last 24 hours, oldest first (one per recipient, as SES counts). */
  private readonly sent: number[] = [];

  constructor(readonly config: SesLimitsConfig) {
    if (!(config.maxSendRate > 0)) throw new Error(`the local SES's maximum send rate must be above 0 (got ${config.maxSendRate})`);
    // SES lets short bursts through; a bucket of one second's sends models that.
    this.tokens = this.capacity;
  }

  private get capacity(): number {
    return Math.max(1, this.config.maxSendRate);
  }

  /**
   * Whether SES would accept an email to `recipients` now; counts it when it does. Two instants:
   * `now` for the rate, which the dispatcher paces to in real time, and `quotaNow` for the rolling
   * 24 hours, which are the system's days (a replay's simulated days, so a month's backtest gets a
   * month of daily quotas, not one real day's). Outside a replay both are the same clock.
   */
  admit(recipients: string[], now: number, quotaNow = now): SesRefusal | undefined {
    const unverified = this.config.sandbox ? recipients.filter((address) => !this.isVerified(address)) : [];
    if (unverified.length > 0) {
      this.counters.notVerified++;
      return {
        status: 400,
        errorType: 'MessageRejected',
        message: `Email address is not verified. The following identities failed the check in region LOCAL: ${unverified.join(', ')}`,
      };
    }
    this.forgetBefore(quotaNow - DAY_MS);
    if (this.sent.length + recipients.length > this.config.max24HourSend) {
      this.counters.overDailyQuota++;
      return { status: 429, errorType: 'TooManyRequestsException', message: 'Daily message quota exceeded.' };
    }
    this.refill(now);
    if (this.tokens < recipients.length) {
      this.counters.throttled++;
      return { status: 429, errorType: 'TooManyRequestsException', message: 'Maximum sending rate exceeded.' };
    }
    this.tokens -= recipients.length;
    for (const _ of recipients) this.sent.push(quotaNow);
    this.counters.accepted++;
    return undefined;
  }

  /** GetAccount's SendQuota; `now` on the quota's clock (see {@link admit}). */
  sendQuota(now: number): { Max24HourSend: number; MaxSendRate: number; SentLast24Hours: number } {
    this.forgetBefore(now - DAY_MS);
    return { Max24HourSend: this.config.max24HourSend, MaxSendRate: this.config.maxSendRate, SentLast24Hours: this.sent.length };
  }

  /** The mailbox simulator works in the sandbox too (ses-account.ts). */
  private isVerified(address: string): boolean {
    return isVerified(address, this.config.verifiedIdentities);
  }

  private refill(now: number): void {
    if (this.refilledAt !== undefined) this.tokens = Math.min(this.capacity, this.tokens + ((now - this.refilledAt) / 1000) * this.config.maxSendRate);
    this.refilledAt = now;
  }

  private forgetBefore(cutoff: number): void {
    let drop = 0;
    while (drop < this.sent.length && this.sent[drop]! <= cutoff) drop++;
    if (drop > 0) this.sent.splice(0, drop);
  }
}

/** AWS's defaults: 14/s and 50,000 a day out of the sandbox; 1/s and 200 a day in it. */
export function defaultSesLimits(sandbox: boolean): Pick<SesLimitsConfig, 'maxSendRate' | 'max24HourSend'> {
  return sandbox ? { maxSendRate: 1, max24HourSend: 200 } : { maxSendRate: 14, max24HourSend: 50_000 };
}
