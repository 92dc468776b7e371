import { createHash } from 'node:crypto';
import { seededRandom } from '#shared/domain/seeded-random.ts';

/**
 * The demo's recipients, behaving as people do: each reads some of the emails that reach the local
 * SES store, clicks some links, buys after some clicks and now and then unsubscribes, all through
 * the public endpoints (the open pixel, the signed click and unsubscribe links) and the bus, as in
 * AWS. Each email's fate is drawn from a generator seeded by the demo seed and the email's send id,
 * so the same demo gives the same engagement whatever order the emails arrive in.
 *
 * Purchases come after the click, at the next moment the simulated clock has moved on to (a
 * purchase at the click's own instant would precede nothing).
 */
export type RecipientBehaviour = { open: number; clickGivenOpen: number; buyGivenClick: number; unsubscribeGivenOpen: number };

/** Shares in line with engaged e-commerce lists (opens inflated by privacy proxies excluded). */
export const DEMO_BEHAVIOUR: RecipientBehaviour = { open: 0.55, clickGivenOpen: 0.4, buyGivenClick: 0.5, unsubscribeGivenOpen: 0.04 };

export type EngagementTally = { emails: number; opened: number; clicked: number; purchases: number; unsubscribed: number; failures: number };

type StoredEmail = { destination?: { to?: string[] }; body?: { html?: string } };

export type PurchaseEntry = { customerId: string; orderId: string; amount: number; at: Date };

export class DemoRecipients {
  private seen = 0;
  private readonly received = new Map<string, number>();
  private readonly pending: Array<Omit<PurchaseEntry, 'at'> & { clickedAt: number }> = [];
  readonly tally: EngagementTally = { emails: 0, opened: 0, clicked: 0, purchases: 0, unsubscribed: 0, failures: 0 };

  constructor(
    private readonly deps: {
      sesEndpoint: string;
      /** Lower-cased address -> customer id, from the scenario's identify and subscribe events. */
      customersByAddress: ReadonlyMap<string, string>;
      seed: number;
      behaviour?: RecipientBehaviour;
      now: () => Date;
      putPurchase: (purchase: PurchaseEntry) => Promise<void>;
    },
  ) {}

  /** Reads the emails that arrived since the last call, and places the purchases now due. Returns whether it did anything. */
  async engage(): Promise<boolean> {
    const now = this.deps.now();
    let acted = await this.placeDuePurchases(now);
    const emails = ((await (await fetch(`${this.deps.sesEndpoint}/store`)).json()) as { emails?: StoredEmail[] }).emails ?? [];
    for (const email of emails.slice(this.seen)) acted = (await this.read(email, now)) || acted;
    this.seen = emails.length;
    return acted;
  }

  private async read(email: StoredEmail, now: Date): Promise<boolean> {
    const address = (email.destination?.to?.[0] ?? '').toLowerCase();
    const customerId = this.deps.customersByAddress.get(address);
    const html = email.body?.html ?? '';
    const pixel = /<img src="([^"]+\/o\/[^"]+)"/.exec(html)?.[1];
    if (!customerId || !pixel) return false;
    this.tally.emails += 1;
    const behaviour = this.deps.behaviour ?? DEMO_BEHAVIOUR;
    // Keyed by who and which rule (and how many of those came before), not by the send id, which is new every run.
    const rule = ruleOf(pixel) ?? 'unknown';
    const key = `${customerId}:${rule}`;
    const nth = (this.received.get(key) ?? 0) + 1;
    this.received.set(key, nth);
    const random = seededRandom(seedOf(`${this.deps.seed}:${key}:${nth}`));
    if (random() >= behaviour.open) return false;
    await this.visit(pixel, 'GET');
    this.tally.opened += 1;
    const click = /href="([^"]+\/c\/[^"]+)"/.exec(html)?.[1];
    if (click && random() < behaviour.clickGivenOpen) {
      await this.visit(click, 'GET');
      this.tally.clicked += 1;
      if (random() < behaviour.buyGivenClick) {
        const amount = Math.round((20 + random() * 130) * 100) / 100;
        this.pending.push({ customerId, orderId: `ord_demo_${seedOf(`${key}:${nth}`).toString(36)}`, amount, clickedAt: now.getTime() });
      }
    }
    const unsubscribe = /href="([^"]+\/u\/[^"]+)"/.exec(html)?.[1];
    if (unsubscribe && random() < behaviour.unsubscribeGivenOpen) {
      await this.visit(unsubscribe, 'POST');
      this.tally.unsubscribed += 1;
    }
    return true;
  }

  private async placeDuePurchases(now: Date): Promise<boolean> {
    const due = this.pending.filter((purchase) => purchase.clickedAt < now.getTime());
    for (const purchase of due) {
      this.pending.splice(this.pending.indexOf(purchase), 1);
      await this.deps.putPurchase({ customerId: purchase.customerId, orderId: purchase.orderId, amount: purchase.amount, at: now });
      this.tally.purchases += 1;
    }
    return due.length > 0;
  }

  private async visit(url: string, method: 'GET' | 'POST'): Promise<void> {
    const response = await fetch(url.replaceAll('&amp;', '&'), {
      method,
      redirect: 'manual',
      ...(method === 'POST' ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' } : {}),
    });
    await response.arrayBuffer();
    if (response.status >= 400) this.tally.failures += 1;
  }
}

/** The rule id in a signed link's claims (`<key id>.<base64url JSON>.<signature>`, the rule as `r`). */
function ruleOf(link: string): string | undefined {
  const token = link.slice(link.lastIndexOf('/') + 1).split('.');
  try {
    const claims = JSON.parse(Buffer.from(token[token.length - 2] ?? '', 'base64url').toString('utf8')) as { r?: unknown };
    return typeof claims.r === 'string' ? claims.r : undefined;
  } catch {
    return undefined;
  }
}

/** A 32-bit seed from a string (the first four bytes of its SHA-256). */
function seedOf(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0);
}
