import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { toEpochSeconds } from '../../domain/clock.ts';
import type { ClaimResult, ClaimStore } from '../../domain/ports.ts';
import type { Claim } from '../../domain/send-decision.ts';
import { capSk, cooldownSk, customerPk } from './keys.ts';
import { unmarshallRaw } from './raw-items.ts';

/** A cap item: the sends that count against it (newest last), and the version its writes check. */
const CapItem = z.object({
  version: z.number().int(),
  sends: z.array(z.object({ s: z.string(), t: z.number() })),
});
type CapItem = z.infer<typeof CapItem>;

const MAX_ATTEMPTS = 8;

export class ClaimContentionError extends Error {
  override name = 'ClaimContentionError';
}

type CapState = { claim: Extract<Claim, { kind: 'cap' }>; current: CapItem | undefined; next: CapItem; alreadyCounted: boolean };

/**
 * Cooldowns and frequency caps, claimed together in one transaction so two concurrent events can
 * never both fire a rule and no claim is ever left half-taken.
 *
 * - A cooldown is a TTL item. TTL deletion is lazy (it can lag by days), so the condition checks the
 *   expiry time itself and an expired-but-undeleted item counts as free.
 * - A cap (per rule, or the global marketing cap) is a sliding window: the item lists the sends of
 *   the window (at most `max`), read consistently, pruned in code, and written back conditioned on
 *   the version read. A concurrent claim makes the transaction fail; the loser re-reads and finds
 *   the cap (or the cooldown) taken.
 * - Every condition passes for the same sendId, so a redelivered event's claim is idempotent.
 */
export class DynamoClaimStore implements ClaimStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(input: { customerId: string; sendId: string; claims: Claim[]; now: Date }): Promise<ClaimResult> {
    if (input.claims.length === 0) return { type: 'claimed' };
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      const caps = await this.readCaps(input);
      const full = caps.find((cap) => !cap.alreadyCounted && liveSends(cap.current, cap.claim, input.now).length >= cap.claim.max);
      if (full) return blockedByCap(full, input.now);

      const writes = [
        ...input.claims.filter((c) => c.kind === 'cooldown').map((c) => ({ claim: c as Claim, put: this.cooldownPut(c, input) })),
        ...caps.filter((cap) => !cap.alreadyCounted).map((cap) => ({ claim: cap.claim as Claim, put: this.capPut(cap, input.customerId) })),
      ];
      // Every cap already lists this sendId: a redelivery of a decision already taken.
      if (caps.length > 0 && caps.every((cap) => cap.alreadyCounted)) {
        if (writes.length > 0) await this.write(writes); // the cooldown re-put is conditioned on the same sendId
        return { type: 'claimed', alreadyHeld: true };
      }
      if (writes.length === 0) return { type: 'claimed' };
      const outcome = await this.write(writes);
      if (outcome.type === 'done') return { type: 'claimed' };
      if (outcome.type === 'blocked_cooldown') return outcome.result;
      // A cap changed under us (a concurrent claim): read again.
    }
    throw new ClaimContentionError(`claims for ${input.customerId} stayed contended after ${MAX_ATTEMPTS} attempts; the event will be retried`);
  }

  private async readCaps(input: { customerId: string; sendId: string; claims: Claim[]; now: Date }): Promise<CapState[]> {
    const capClaims = input.claims.filter((c): c is Extract<Claim, { kind: 'cap' }> => c.kind === 'cap');
    return Promise.all(
      capClaims.map(async (claim) => {
        const { Item } = await this.client.send(
          new GetCommand({
            TableName: this.tableName,
            Key: { pk: customerPk(input.customerId), sk: capSk(claim.scope) },
            ConsistentRead: true,
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        const current = Item ? CapItem.parse(Item) : undefined;
        const live = liveSends(current, claim, input.now);
        const alreadyCounted = live.some((send) => send.s === input.sendId);
        const next: CapItem = { version: (current?.version ?? 0) + 1, sends: [...live, { s: input.sendId, t: input.now.getTime() }].slice(-claim.max) };
        return { claim, current, next, alreadyCounted };
      }),
    );
  }

  private cooldownPut(claim: Extract<Claim, { kind: 'cooldown' }>, input: { customerId: string; sendId: string; now: Date }): PutCommandInput {
    return {
      TableName: this.tableName,
      Item: {
        pk: customerPk(input.customerId),
        sk: cooldownSk(claim.ruleId),
        kind: 'cooldown',
        ruleId: claim.ruleId,
        sendId: input.sendId,
        claimedAt: input.now.toISOString(),
        expiresAt: claim.expiresAt.toISOString(),
        expiresAtEpoch: toEpochSeconds(claim.expiresAt),
        ttl: toEpochSeconds(claim.expiresAt),
      },
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAtEpoch <= :now OR sendId = :sendId',
      ExpressionAttributeValues: { ':now': toEpochSeconds(input.now), ':sendId': input.sendId },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    };
  }

  private capPut(cap: CapState, customerId: string): PutCommandInput {
    const windowEnd = cap.claim.windowMs === undefined ? undefined : Math.max(...cap.next.sends.map((s) => s.t)) + cap.claim.windowMs;
    return {
      TableName: this.tableName,
      Item: {
        pk: customerPk(customerId),
        sk: capSk(cap.claim.scope),
        kind: 'cap',
        scope: cap.claim.scope,
        max: cap.claim.max,
        ...(cap.claim.windowMs !== undefined ? { windowMs: cap.claim.windowMs } : {}),
        version: cap.next.version,
        sends: cap.next.sends,
        // Once the newest send has left the window the item is empty in effect; TTL tidies it up.
        ...(windowEnd !== undefined ? { ttl: Math.ceil(windowEnd / 1000) + 86_400 } : {}),
      },
      ConditionExpression: cap.current ? 'version = :version' : 'attribute_not_exists(pk)',
      ...(cap.current ? { ExpressionAttributeValues: { ':version': cap.current.version } } : {}),
    };
  }

  private async write(
    writes: Array<{ claim: Claim; put: PutCommandInput }>,
  ): Promise<{ type: 'done' } | { type: 'contended' } | { type: 'blocked_cooldown'; result: ClaimResult }> {
    try {
      if (writes.length === 1) {
        await this.client.send(new PutCommand({ ...writes[0]!.put, ReturnConsumedCapacity: 'TOTAL' }));
      } else {
        await this.client.send(
          new TransactWriteCommand({
            ReturnConsumedCapacity: 'TOTAL',
            TransactItems: writes.map(({ put }) => ({ Put: put as PutCommandInput & { Item: Record<string, unknown> } })),
          }),
        );
      }
      return { type: 'done' };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        const claim = writes[0]!.claim;
        if (claim.kind !== 'cooldown') return { type: 'contended' };
        return { type: 'blocked_cooldown', result: cooldownBlock(error.Item ? unmarshallRaw(error.Item) : undefined) };
      }
      if (error instanceof TransactionCanceledException) {
        const reasons = error.CancellationReasons ?? [];
        const cooldownIndex = reasons.findIndex((reason, index) => reason.Code === 'ConditionalCheckFailed' && writes[index]?.claim.kind === 'cooldown');
        if (cooldownIndex >= 0) {
          const item = reasons[cooldownIndex]?.Item;
          return { type: 'blocked_cooldown', result: cooldownBlock(item ? unmarshallRaw(item) : undefined) };
        }
        if (reasons.some((reason) => reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict')) return { type: 'contended' };
      }
      throw error;
    }
  }
}

function liveSends(item: CapItem | undefined, claim: Extract<Claim, { kind: 'cap' }>, now: Date): CapItem['sends'] {
  const sends = item?.sends ?? [];
  return claim.windowMs === undefined ? sends : sends.filter((send) => send.t > now.getTime() - claim.windowMs!);
}

function blockedByCap(cap: CapState, now: Date): ClaimResult {
  const by = cap.claim.scope === 'global' ? 'global_cap' : 'rule_cap';
  const live = liveSends(cap.current, cap.claim, now);
  if (cap.claim.windowMs === undefined || live.length === 0) return { type: 'blocked', by };
  const oldest = Math.min(...live.map((send) => send.t));
  return { type: 'blocked', by, until: new Date(oldest + cap.claim.windowMs).toISOString() };
}

function cooldownBlock(old: Record<string, unknown> | undefined): ClaimResult {
  return typeof old?.expiresAt === 'string' ? { type: 'blocked', by: 'cooldown', until: old.expiresAt } : { type: 'blocked', by: 'cooldown' };
}
