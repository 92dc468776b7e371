import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoQuarantine, type QuarantinedItem } from '#shared/adapters/dynamo/quarantine-repository.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { requireOutput } from '#local/stack/outputs.ts';
import { printResult } from '../format.ts';
import { callLocal, type LocalStatus } from '../local-control.ts';

/** `nudge quarantine list [--json]`: items the daily jobs found corrupt, recorded and skipped. */
export async function listQuarantine(options: { json?: boolean }): Promise<void> {
  const status = await callLocal<LocalStatus>('status');
  const client = new DynamoDBClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: status.endpoints.dynamodb });
  try {
    const items = await new DynamoQuarantine(DynamoDBDocumentClient.from(client), requireOutput(status.outputs, 'TableName')).list();
    printResult(items, options, quarantineTable);
  } finally {
    client.destroy();
  }
}

function quarantineTable(items: QuarantinedItem[]): string {
  if (items.length === 0) return 'no quarantined items: every item the jobs scanned was readable';
  return items
    .map((item) => [`${item.pk} ${item.sk} (${item.itemKind}), seen ${item.timesSeen}x, first ${item.firstQuarantinedAt}, last ${item.lastSeenAt}`, `  ${item.reason}`].join('\n'))
    .join('\n');
}
