import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ExperimentWinners, RecordedWinner } from '../../domain/experiments.ts';

export const experimentWinnerPk = (key: string) => `EXPERIMENT#${key}`;
export const EXPERIMENT_WINNER_SK = 'WINNER';

/**
 * Reads recorded experiment winners (`EXPERIMENT#<rule or step>:<experiment>` / `WINNER`): the
 * decision path and the report. Apart from the writer (experiment-winner-repository.ts) so that
 * what only reads is bundled, and granted, without the write. A container keeps what it read for
 * `cacheMs`: a rule with an experiment costs one Get per experiment per container and period, not
 * one per decision.
 */
export class DynamoExperimentWinnerReader implements Pick<ExperimentWinners, 'find'> {
  private readonly cache = new Map<string, { winner: RecordedWinner | undefined; until: number }>();

  constructor(
    protected readonly client: DynamoDBDocumentClient,
    protected readonly tableName: string,
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
          const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: experimentWinnerPk(key), sk: EXPERIMENT_WINNER_SK }, ReturnConsumedCapacity: 'TOTAL' }));
          winner = Item ? (Item.winner as RecordedWinner) : undefined;
          if (this.options.cacheMs) this.cache.set(key, { winner, until: now + this.options.cacheMs });
        }
        if (winner) found.set(key, winner);
      }),
    );
    return found;
  }
}
