import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ExperimentWinners, RecordedWinner } from '../../domain/experiments.ts';
import { experimentKey } from '../../domain/send-decision.ts';
import { DynamoExperimentWinnerReader, EXPERIMENT_WINNER_SK, experimentWinnerPk } from './experiment-winner-reader.ts';

/**
 * Recorded experiment winners, read and written (the scheduled check): one item per experiment,
 * written once (a conditional put), so a later check cannot move the traffic again.
 */
export class DynamoExperimentWinners extends DynamoExperimentWinnerReader implements ExperimentWinners {
  async record(winner: RecordedWinner): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: experimentWinnerPk(experimentKey(winner.scopeId, winner.experimentId)), sk: EXPERIMENT_WINNER_SK, kind: 'experiment_winner', winner },
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
