import { randomBytes } from 'node:crypto';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../emulators/local-aws.ts';
import type { LocalResource } from '../stack/intrinsics.ts';

/**
 * Secrets Manager, locally: every `AWS::SecretsManager::Secret` of the stack gets a random value
 * when the runtime starts (as `generateSecretString` does at deploy), served to the SDK's
 * GetSecretValue on the EventBridge port, and PutSecretValue (what `nudge keys rotate` writes).
 * Kept in memory: links signed before a restart stop verifying, as if the key had been lost.
 */
export class LocalSecrets {
  private readonly values = new Map<string, { arn: string; name: string; value: string; version: number }>();

  constructor(stackResources: Record<string, { Type: string }>, resources: Map<string, LocalResource>) {
    for (const [logicalId, resource] of Object.entries(stackResources)) {
      if (resource.Type !== 'AWS::SecretsManager::Secret') continue;
      const arn = `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT}:secret:${logicalId}-local`;
      const secret = { arn, name: logicalId, value: randomBytes(48).toString('base64url'), version: 1 };
      // Ref of a secret is its ARN, as in CloudFormation.
      resources.set(logicalId, { ref: arn, attributes: { Arn: arn, Name: logicalId } });
      this.values.set(arn, secret);
      this.values.set(logicalId, secret);
    }
  }

  /** GetSecretValue's response, or undefined for an unknown SecretId (ARN or name). */
  getSecretValue(secretId: string): { ARN: string; Name: string; SecretString: string; VersionId: string; CreatedDate: number } | undefined {
    const secret = this.values.get(secretId);
    return secret && { ARN: secret.arn, Name: secret.name, SecretString: secret.value, VersionId: `local-${secret.version}`, CreatedDate: Math.floor(Date.now() / 1000) };
  }

  /** PutSecretValue's response (the new value becomes current, as AWSCURRENT moves in AWS), or undefined for an unknown SecretId. */
  putSecretValue(secretId: string, value: string): { ARN: string; Name: string; VersionId: string; VersionStages: string[] } | undefined {
    const secret = this.values.get(secretId);
    if (!secret) return undefined;
    secret.value = value;
    secret.version += 1;
    return { ARN: secret.arn, Name: secret.name, VersionId: `local-${secret.version}`, VersionStages: ['AWSCURRENT'] };
  }
}
