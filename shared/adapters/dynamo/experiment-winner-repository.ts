import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ExperimentWinners, RecordedWinner } from '../../domain/experiments.ts';
import { experimentKey } from '../../domain/send-decision.ts';

const pk = (key: string) => `EXPERIMENT#${key}`;
const SK = 'WINNER';

/**
 * Recorded experiment winners, one item per experiment (`EXPERIMENT#<rule or step>:<experiment>` /
 * `WINNER`), written once (conditional put): a later check cannot move the traffic again. The
 * decision path reads them; a container keeps what it read for `cacheMs`, so a rule with an
 * experiment costs one Get per experiment per container and period, not one per decision.
 */
export class DynamoExperimentWinners implements ExperimentWinners {
  private readonly cache = new Map<string, { winner: RecordedWinner | undefined; until: number }>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: { cacheMs?: number; now?: () => number } = {},
  ) {}

  async find(keys: readonly string[]): Promise<Map<string, RecordedWinner>> {
    const now = (this.options.now ?? Date.now)();
    const found = new Map<string, RecordedWinner>();
    await Promise.all(
      [...new Set(keys)].map(async (key) => {
        const cached = this.cache.get(key);
        let winner = cached && cached.until > now ? cached.winner : undefined;
        if (!cached || cached.until <= now) {
          const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: pk(key), sk: SK }, ReturnConsumedCapacity: 'TOTAL' }));
          winner = Item ? (Item.winner as RecordedWinner) : undefined;
          if (this.options.cacheMs) this.cache.set(key, { winner, until: now + this.options.cacheMs });
        }
        if (winner) found.set(key, winner);
      }),
    );
    return found;
  }

  async record(winner: RecordedWinner): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: pk(experimentKey(winner.scopeId, winner.experimentId)), sk: SK, kind: 'experiment_winner', winner },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
