import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export type DemoSummary = {
  sendsByRule: Record<string, Record<string, number>>;
  rejectedEvents: number;
  emailsInSesStore: number;
};

/**
 * What the demo produced, read back from where it landed: the send ledger, the rejected-events
 * queue and the local SES store. (A Scan is fine here: a local, demo-sized table.)
 */
export async function summarizeDemo(input: {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  sqs: SQSClient;
  rejectedQueueUrl: string;
  sesEndpoint: string;
}): Promise<DemoSummary> {
  const sendsByRule: Record<string, Record<string, number>> = {};
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await input.documentClient.send(
      new ScanCommand({
        TableName: input.tableName,
        FilterExpression: 'kind = :send',
        ExpressionAttributeValues: { ':send': 'send' },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const rule = String(item.ruleId);
      const status = String(item.status);
      sendsByRule[rule] ??= {};
      sendsByRule[rule][status] = (sendsByRule[rule][status] ?? 0) + 1;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);

  const { Attributes } = await input.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: input.rejectedQueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  const store = (await (await fetch(`${input.sesEndpoint}/store`)).json()) as { emails?: unknown[] };
  return {
    sendsByRule,
    rejectedEvents: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
    emailsInSesStore: store.emails?.length ?? 0,
  };
}
