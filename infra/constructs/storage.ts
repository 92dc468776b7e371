import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { customerPk } from '#shared/adapters/dynamo/keys.ts';
import type { NudgeFunction } from './nudge-function.ts';

/** The environment variable every handler reads the table name from. */
export const TABLE_NAME_ENV = 'TABLE_NAME';

/**
 * The item-level actions every handler's adapters use. `TransactWriteItems` needs no action of its
 * own: IAM checks each Put/Update inside the transaction as PutItem/UpdateItem.
 *  - GetItem: profile read (ingest, sweep), send ledger read (dispatcher)
 *  - PutItem: profile compare-and-swap write, cooldown/cap claims (ingest, sweep)
 *  - UpdateItem: cap counters (ingest), send lease and completion (dispatcher)
 */
export const TABLE_ITEM_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] as const;

/**
 * What keeping segment-membership items needs on top of {@link TABLE_ITEM_ACTIONS}: a profile that
 * enters or leaves segments adds and removes one item per segment, in one BatchWriteItem (IAM checks
 * its puts and deletes as BatchWriteItem), or a single DeleteItem.
 */
export const TABLE_MEMBERSHIP_ACTIONS = ['dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'] as const;

/** The sweep's full read of the table (a parallel Scan). Only the scheduled sweep gets it; never the hot path. */
export const TABLE_SCAN_ACTIONS = ['dynamodb:Scan'] as const;

/** Writing decision records (the audit trail) in batches: one item per matched rule of a trigger. */
export const TABLE_DECISION_ACTIONS = ['dynamodb:BatchWriteItem'] as const;

export type TableAccess = {
  /** Also add and remove items in batches ({@link TABLE_MEMBERSHIP_ACTIONS}). */
  membershipWrites?: boolean;
  /** Also write decision records in batches ({@link TABLE_DECISION_ACTIONS}). */
  decisionRecords?: boolean;
  /** Also Scan the whole table ({@link TABLE_SCAN_ACTIONS}). */
  scan?: boolean;
};

/**
 * The one DynamoDB table (single-table design, keys `pk`/`sk`): profiles, TTL cooldowns, frequency
 * caps and the send ledger, every item of a customer under one partition so erase/export is one Query.
 *
 * - **On-demand** billing: event traffic is bursty and unknown up front; nothing to tune or throttle.
 * - **TTL on `ttl`**: cooldown and cap items expire by themselves (claims still check expiry in their
 *   condition, since TTL deletion is lazy).
 * - **Point-in-time recovery**: the table is the system of record for profiles and the send audit trail.
 * - **Encryption with the AWS managed KMS key** (`aws/dynamodb`): every use of the key is logged in
 *   CloudTrail, unlike the default AWS owned key, without the monthly cost, key policy and per-function
 *   `kms:*` grants a customer managed key would add. Switch to CUSTOMER_MANAGED if your compliance
 *   regime requires controlling the key.
 * - **RETAIN**: deleting the stack must never delete customer profiles and the send history.
 * - **A stream of changes (old and new images)**: the rollup Lambda turns new decisions, send status
 *   changes and conversions into the reports' daily rollups without touching the hot path.
 */
export class NudgeStorage extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'ttl',
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    });
  }

  /**
   * Lets `fn` use the table: sets `TABLE_NAME` and grants, on this table only, {@link TABLE_ITEM_ACTIONS}
   * plus what `access` asks for. One statement, so a test can read a function's table rights at a glance.
   */
  grantItemAccess(fn: NudgeFunction, access: TableAccess = {}): void {
    fn.addEnvironment(TABLE_NAME_ENV, this.table.tableName);
    const actions: string[] = [
      ...new Set([
        ...TABLE_ITEM_ACTIONS,
        ...(access.membershipWrites ? TABLE_MEMBERSHIP_ACTIONS : []),
        ...(access.decisionRecords ? TABLE_DECISION_ACTIONS : []),
        ...(access.scan ? TABLE_SCAN_ACTIONS : []),
      ]),
    ];
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [this.table.tableArn] }));
  }

  /**
   * Lets `fn` Query one customer's partition (`C#...`) and no other: attributing a purchase reads the
   * customer's sends engaged within the window. A statement of its own, as the condition is.
   */
  grantCustomerQuery(fn: NudgeFunction): void {
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${customerPk('')}*`] } },
      }),
    );
  }

  /**
   * Lets `fn` read profiles and nothing else it can avoid: GetItem only (no Query, Scan or writes),
   * on the table (not its indexes), in customer partitions only (`C#...`: not the suppression list).
   * IAM has no condition key for the sort key, so the partition is as narrow as IAM allows.
   */
  grantProfileRead(fn: NudgeFunction): void {
    fn.addEnvironment(TABLE_NAME_ENV, this.table.tableName);
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem'],
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${customerPk('')}*`] } },
      }),
    );
  }
}
