import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** What became of one rule's emails: from the send records (SES outcomes, first open and click) and the conversions credited to them. */
export type RuleEngagement = { sent: number; delivered: number; opened: number; clicked: number; converted: number; revenue: number };

export type DemoSummary = {
  sendsByRule: Record<string, Record<string, number>>;
  engagementByRule: Record<string, RuleEngagement>;
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
  /** The local SES's address (its `/store` lists the emails), or the count itself (the fast replay's in-memory SES). */
  sesEndpoint: string | (() => number);
}): Promise<DemoSummary> {
  const sendsByRule: Record<string, Record<string, number>> = {};
  const engagementByRule: Record<string, RuleEngagement> = {};
  const engagement = (rule: string) => (engagementByRule[rule] ??= { sent: 0, delivered: 0, opened: 0, clicked: 0, converted: 0, revenue: 0 });
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await input.documentClient.send(
      new ScanCommand({
        TableName: input.tableName,
        FilterExpression: 'kind IN (:send, :conversion)',
        ExpressionAttributeValues: { ':send': 'send', ':conversion': 'conversion' },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const rule = String(item.ruleId);
      if (item.kind === 'conversion') {
        engagement(rule).converted += 1;
        engagement(rule).revenue += Number(item.revenue ?? 0);
        continue;
      }
      const status = String(item.status);
      sendsByRule[rule] ??= {};
      sendsByRule[rule][status] = (sendsByRule[rule][status] ?? 0) + 1;
      if (status !== 'sent') continue;
      const counts = engagement(rule);
      counts.sent += 1;
      // A complaint comes after a delivery; a bounce never was delivered.
      if (item.outcome === 'delivered' || item.outcome === 'complained') counts.delivered += 1;
      if (item.firstOpenAt) counts.opened += 1;
      if (item.firstClickAt) counts.clicked += 1;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);

  const { Attributes } = await input.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: input.rejectedQueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  const sesEndpoint = input.sesEndpoint;
  const emailsInSesStore =
    typeof sesEndpoint === 'function' ? sesEndpoint() : (((await (await fetch(`${sesEndpoint}/store`)).json()) as { emails?: unknown[] }).emails?.length ?? 0);
  for (const counts of Object.values(engagementByRule)) counts.revenue = Math.round(counts.revenue * 100) / 100;
  return {
    sendsByRule,
    engagementByRule,
    rejectedEvents: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
    emailsInSesStore,
  };
}
