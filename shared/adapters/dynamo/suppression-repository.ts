import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { SuppressionList, SuppressionReason } from '../../domain/ports.ts';
import { CorruptItemError } from './profile-repository.ts';
import { SUPPRESSION_SK, suppressionPk } from './keys.ts';

/** Longest `detail` kept (an SMTP diagnostic, a complaint feedback type). */
const MAX_DETAIL_LENGTH = 1000;

/** The key of an address on the list: SHA-256 (hex) of the trimmed, lower-cased address. */
export function addressHash(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}

export const SuppressionEntry = z.object({
  reason: z.enum(['hard_bounce', 'complaint', 'manual', 'erased']),
  at: z.string(),
  detail: z.string().optional(),
});
export type SuppressionEntry = z.infer<typeof SuppressionEntry>;

/**
 * The account-wide suppression list: one item per address, `SUP#<sha256 of the address>` /
 * `SUPPRESSION`, holding the reason, when, and a short detail, never the address itself. The
 * list is outside every customer's partition on purpose: erasing a customer must not erase the
 * fact that their address bounced or complained, or the next import of it would be mailed again.
 *
 * `add` keeps the **first** entry (a conditional put): SES may deliver a bounce twice, and a
 * complaint arriving after a hard bounce (or the reverse) changes nothing about the address being
 * suppressed, so the original reason, time and diagnostic stay as the audit record. Nothing
 * removes an entry automatically; lifting a suppression is a deliberate operator action.
 */
export class DynamoSuppressionList implements SuppressionList {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async find(email: string): Promise<SuppressionEntry | undefined> {
    // Eventually consistent: an entry added within the last second may be missed, as may a send
    // that was already on its way; strong reads would double the cost of every send for that.
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: suppressionKey(email), ReturnConsumedCapacity: 'TOTAL' }),
    );
    if (!Item) return undefined;
    const parsed = SuppressionEntry.safeParse(Item);
    if (!parsed.success) throw new CorruptItemError(`suppression item ${String(Item.pk)} does not match the schema: ${parsed.error.message}`);
    return parsed.data;
  }

  async add(input: { email: string; reason: SuppressionReason; at: Date; detail?: string }): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...suppressionKey(input.email),
            kind: 'suppression',
            reason: input.reason,
            at: input.at.toISOString(),
            ...(input.detail ? { detail: input.detail.slice(0, MAX_DETAIL_LENGTH) } : {}),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
    } catch (error) {
      // Already suppressed: the first entry stands (see the class comment).
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

function suppressionKey(email: string): { pk: string; sk: string } {
  return { pk: suppressionPk(addressHash(email)), sk: SUPPRESSION_SK };
}
