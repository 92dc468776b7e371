import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { rotateLinkKey, type LinkKeyRotation } from '#shared/adapters/secrets/link-key-rotation.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { requireOutput } from '#local/stack/outputs.ts';
import { keyValueTable, printResult } from '../format.ts';
import { callLocal, type LocalStatus } from '../local-control.ts';

/**
 * `nudge keys rotate`: a new link key signs new links; the retired one keeps verifying links
 * already sent until they expire (link-keyring.ts). Locally: the running system's secret, at its
 * simulated time. `--stack <name>`: the deployed stack's secret `nudge/<name>/link-signing-key`,
 * with the operator's AWS credentials and region (the SDK's default chain), at the real time.
 */
export async function rotateKeys(options: { stack?: string; region?: string; json?: boolean }): Promise<void> {
  if (options.stack) {
    // Loaded only here: the construct module pulls in aws-cdk-lib, too slow for every CLI start.
    const { linkSecretName } = await import('#infra/constructs/tracking.ts');
    const client = new SecretsManagerClient(options.region ? { region: options.region } : {});
    try {
      printResult(await rotateLinkKey(client, linkSecretName(options.stack), new Date()), options, describe);
    } finally {
      client.destroy();
    }
    return;
  }
  const status = await callLocal<LocalStatus>('status');
  const client = new SecretsManagerClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: status.endpoints.eventBridge });
  try {
    printResult(await rotateLinkKey(client, requireOutput(status.outputs, 'LinkSecretArn'), new Date(status.now)), options, describe);
  } finally {
    client.destroy();
  }
}

function describe(rotation: LinkKeyRotation): string {
  return keyValueTable([
    ['signing key', rotation.current],
    ['still verifying', rotation.previous.map((k) => `${k.id} (retired ${k.retiredAt})`).join(', ') || '-'],
    ['dropped', rotation.dropped.join(', ') || '-'],
    ['takes effect', 'new links within an hour (each function re-reads the key hourly); links already sent keep working until they expire'],
  ]);
}
