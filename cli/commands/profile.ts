import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoProfileStore } from '#shared/adapters/dynamo/profile-repository.ts';
import type { Profile } from '#shared/domain/profile.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { requireOutput } from '#local/stack/outputs.ts';
import { keyValueTable, printResult } from '../format.ts';
import { callLocal, type LocalStatus } from '../local-control.ts';

/** `nudge profile <customerId>`: the stored profile, read through the same repository the handlers use. */
export async function showProfile(customerId: string, options: { json?: boolean }): Promise<void> {
  const status = await callLocal<LocalStatus>('status');
  const client = new DynamoDBClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: status.endpoints.dynamodb });
  try {
    const store = new DynamoProfileStore(DynamoDBDocumentClient.from(client), requireOutput(status.outputs, 'TableName'));
    const profile = await store.get(customerId);
    if (!profile) {
      console.error(`no profile for customer "${customerId}"`);
      process.exitCode = 2;
      return;
    }
    printResult(profile, options, profileTable);
  } finally {
    client.destroy();
  }
}

function profileTable(profile: Profile): string {
  const { recentEvents: _digests, ...shown } = profile;
  return keyValueTable([
    ['customer', shown.customerId],
    ['email', shown.email],
    ['name', [shown.firstName, shown.lastName].filter(Boolean).join(' ') || undefined],
    ['timezone', shown.timezone],
    ['consent', shown.consent],
    ['first seen', shown.firstSeenAt],
    ['last activity', shown.lastActivityAt],
    ['events', shown.eventCount],
    ['events by type', shown.eventCounts],
    ['last cart', shown.lastCart ? `${shown.lastCart.value} ${shown.lastCart.currency ?? ''} (${shown.lastCart.itemCount} items, ${shown.lastCart.at})` : undefined],
    ['version', shown.version],
  ]);
}
