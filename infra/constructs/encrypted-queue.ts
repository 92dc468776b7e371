import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export type EncryptedQueueProps = Omit<sqs.QueueProps, 'encryption' | 'encryptionMasterKey' | 'enforceSSL'>;

/** How long a dead-letter or record queue keeps messages: SQS's maximum, time for a person to look. */
export const INSPECTION_RETENTION = Duration.days(14);

/**
 * Every Nudge queue: encrypted at rest and refusing plain-HTTP access (`enforceSSL` adds a
 * `aws:SecureTransport = false` deny to the queue policy).
 *
 * Encryption is SSE-SQS (SQS-managed keys) on purpose: EventBridge can deliver to a rule target's
 * dead-letter queue only if that queue is SSE-SQS or uses a customer managed KMS key whose key policy
 * admits events.amazonaws.com; the AWS managed `aws/sqs` key cannot be shared with a service that way.
 * SSE-SQS also costs nothing and needs no `kms:*` grants on producers and consumers.
 */
export class EncryptedQueue extends sqs.Queue {
  constructor(scope: Construct, id: string, props: EncryptedQueueProps = {}) {
    super(scope, id, { ...props, encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true });
  }
}
