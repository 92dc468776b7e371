import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type PutCommandInput,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { toEpochSeconds } from '../../domain/clock.ts';
import type { ClaimResult, ClaimStore } from '../../domain/ports.ts';
import type { Claim } from '../../domain/send-decision.ts';
import { cooldownSk, customerPk, lifetimeCapSk } from './keys.ts';
import { unmarshallRaw } from './raw-items.ts';

type ClaimWrite = { kind: 'put'; input: PutCommandInput } | { kind: 'update'; input: UpdateCommandInput };

/**
 * Cooldowns and caps as conditional writes, so two concurrent events cannot both fire a rule.
 *
 * A cooldown is a TTL item. TTL deletion is lazy (it can lag by days), so the condition checks the
 * expiry time itself and an expired-but-undeleted item counts as free. Every condition also passes
 * for the same sendId, which makes a redelivered event's claim idempotent.
 */
export class DynamoClaimStore implements ClaimStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(input: { customerId: string; sendId: string; claims: Claim[]; now: Date }): Promise<ClaimResult> {
    const writes = input.claims.map((claim) => this.writeFor(claim, input.customerId, input.sendId, input.now));
    if (writes.length === 0) return { type: 'claimed' };
    try {
      if (writes.length === 1) await this.sendSingle(writes[0]!);
      else await this.sendTransaction(writes);
      return { type: 'claimed' };
    } catch (error) {
      const blocked = blockedClaim(error, input.claims);
      if (blocked) return blocked;
      throw error;
    }
  }

  private writeFor(claim: Claim, customerId: string, sendId: string, now: Date): ClaimWrite {
    const pk = customerPk(customerId);
    if (claim.kind === 'cooldown') {
      return {
        kind: 'put',
        input: {
          TableName: this.tableName,
          Item: {
            pk,
            sk: cooldownSk(claim.ruleId),
            kind: 'cooldown',
            ruleId: claim.ruleId,
            sendId,
            claimedAt: now.toISOString(),
            expiresAt: claim.expiresAt.toISOString(),
            expiresAtEpoch: toEpochSeconds(claim.expiresAt),
            ttl: toEpochSeconds(claim.expiresAt),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAtEpoch <= :now OR sendId = :sendId',
          ExpressionAttributeValues: { ':now': toEpochSeconds(now), ':sendId': sendId },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        },
      };
    }
    return {
      kind: 'update',
      input: {
        TableName: this.tableName,
        Key: { pk, sk: lifetimeCapSk(claim.ruleId) },
        // A string set of the sends that used the cap: adding the same sendId again is a no-op.
        UpdateExpression: 'ADD sendIds :sendIdSet SET kind = :kind, ruleId = :ruleId, maxSends = :max',
        ConditionExpression: 'attribute_not_exists(sendIds) OR size(sendIds) < :max OR contains(sendIds, :sendId)',
        ExpressionAttributeValues: {
          ':sendIdSet': new Set([sendId]),
          ':sendId': sendId,
          ':max': claim.max,
          ':kind': 'lifetime_cap',
          ':ruleId': claim.ruleId,
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        ReturnConsumedCapacity: 'TOTAL',
      },
    };
  }

  private async sendSingle(write: ClaimWrite): Promise<void> {
    if (write.kind === 'put') await this.client.send(new PutCommand(write.input));
    else await this.client.send(new UpdateCommand(write.input));
  }

  private async sendTransaction(writes: ClaimWrite[]): Promise<void> {
    await this.client.send(
      new TransactWriteCommand({
        ReturnConsumedCapacity: 'TOTAL',
        TransactItems: writes.map((write) => {
          const { ReturnConsumedCapacity: _rc, ...rest } = write.input;
          if (write.kind === 'put') return { Put: rest as PutCommandInput & { Item: Record<string, unknown> } };
          return { Update: rest as UpdateCommandInput & { UpdateExpression: string } };
        }),
      }),
    );
  }
}

function blockedClaim(error: unknown, claims: Claim[]): ClaimResult | undefined {
  if (error instanceof ConditionalCheckFailedException) {
    const claim = claims[0]!;
    const old = error.Item ? unmarshallRaw(error.Item) : undefined;
    return blockedBy(claim, old);
  }
  if (error instanceof TransactionCanceledException) {
    const reasons = error.CancellationReasons ?? [];
    const index = reasons.findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
    if (index < 0) return undefined; // conflicts and throttling are retryable faults, not a block
    const old = reasons[index]?.Item ? unmarshallRaw(reasons[index].Item) : undefined;
    return blockedBy(claims[index]!, old);
  }
  return undefined;
}

function blockedBy(claim: Claim, old: Record<string, unknown> | undefined): ClaimResult {
  const until = claim.kind === 'cooldown' && typeof old?.expiresAt === 'string' ? old.expiresAt : undefined;
  return until ? { type: 'blocked', by: claim.kind, until } : { type: 'blocked', by: claim.kind };
}
