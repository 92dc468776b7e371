import { GetAccountCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Log } from '../../domain/ports.ts';

/** SES raises an account's rate on request; re-reading it every few minutes picks that up without a deploy. */
const RATE_CACHE_MS = 5 * 60_000;
/** What the dispatcher assumes when SES cannot be asked: the sandbox's rate, the lowest SES has. */
export const FALLBACK_SEND_RATE = 1;

/**
 * The account's maximum send rate (emails/s): SES GetAccount's `SendQuota.MaxSendRate`, cached per
 * container, unless the deploy fixes it (`override`, from `-c sesMaxSendRate=`: e.g. to leave part
 * of the account's rate to other senders).
 */
export class SesSendRate {
  private cached: { rate: number; until: number } | undefined;

  constructor(
    private readonly client: SESv2Client,
    private readonly options: { override?: number | undefined; wallClock: () => number; log: Log },
  ) {}

  async current(): Promise<number> {
    if (this.options.override !== undefined) return this.options.override;
    const now = this.options.wallClock();
    if (this.cached && now < this.cached.until) return this.cached.rate;
    try {
      const { SendQuota } = await this.client.send(new GetAccountCommand({}));
      const rate = SendQuota?.MaxSendRate;
      if (!rate || rate <= 0) throw new Error(`GetAccount returned no MaxSendRate (${JSON.stringify(SendQuota)})`);
      this.cached = { rate, until: now + RATE_CACHE_MS };
      return rate;
    } catch (error) {
      const rate = this.cached?.rate ?? FALLBACK_SEND_RATE;
      this.options.log.warn('could not read the SES send rate; pacing at the last known or the lowest rate', { rate, cause: String(error) });
      // Ask again in a minute rather than on every send.
      this.cached = { rate, until: now + 60_000 };
      return rate;
    }
  }
}
