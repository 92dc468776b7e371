import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ScoringTaskQueue } from '../../domain/ports.ts';
import type { ScoringTask } from '../../domain/predictive/scoring-runs.ts';

/** SendMessageBatch takes at most ten entries. */
const BATCH = 10;

/** The scoring workers' queue: one message per segment task; entries SQS refuses are an error, never dropped. */
export class SqsScoringTaskQueue implements ScoringTaskQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(tasks: ScoringTask[]): Promise<void> {
    for (let i = 0; i < tasks.length; i += BATCH) {
      const batch = tasks.slice(i, i + BATCH);
      const result = await this.client.send(
        new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: batch.map((task, index) => ({ Id: String(index), MessageBody: JSON.stringify(task) })) }),
      );
      if (result.Failed && result.Failed.length > 0) {
        throw new Error(`the scoring queue refused ${result.Failed.length} task(s): ${result.Failed.map((f) => `${f.Code}: ${f.Message}`).join('; ')}`);
      }
    }
  }
}
