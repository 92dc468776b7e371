import { randomBytes } from 'node:crypto';
import { GetSecretValueCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseKeyring, rotateKeyring, serializeKeyring, type LinkKeyring } from '../../domain/link-keyring.ts';

/** What a rotation did: the new current key id, the retired ids still verifying, the ids dropped (their links have all expired). */
export type LinkKeyRotation = { current: string; previous: Array<{ id: string; retiredAt: string }>; dropped: string[] };

/**
 * Rotates the link key in its secret: reads the keyring, makes a new random key (384 bits), writes
 * the rotated keyring as a new version (PutSecretValue; the caller needs
 * `secretsmanager:GetSecretValue` and `secretsmanager:PutSecretValue` on that secret). Not
 * atomic against a second rotation running at the same moment: rotate from one place.
 */
export async function rotateLinkKey(client: SecretsManagerClient, secretId: string, now: Date): Promise<LinkKeyRotation> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (typeof SecretString !== 'string') throw new Error(`secret ${secretId} has no string value`);
  const before: LinkKeyring = parseKeyring(SecretString);
  const after = rotateKeyring(before, randomBytes(48).toString('base64url'), now);
  await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: serializeKeyring(after) }));
  const kept = new Set(after.previous.map((k) => k.id));
  return {
    current: after.current.id,
    previous: after.previous.map(({ id, retiredAt }) => ({ id, retiredAt })),
    dropped: [before.current, ...before.previous].map((k) => k.id).filter((id) => !kept.has(id)),
  };
}
