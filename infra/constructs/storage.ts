import { CfnDeletionPolicy, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TOMBSTONE_PK_PREFIX } from '#shared/adapters/dynamo/erasure-tombstone-repository.ts';
import { customerPk } from '#shared/adapters/dynamo/keys.ts';
import { LABELLED_SNAPSHOTS_INDEX, LABELLED_SNAPSHOTS_INDEX_KEY, PROFILES_INDEX, PROFILES_INDEX_KEY } from '#shared/adapters/dynamo/sparse-indexes.ts';
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

/**
 * A pass over every profile: a parallel Scan of the sparse `profiles` index (on the index ARN
 * only, never the table) and BatchGetItem of each page's profiles (on the table). Only the
 * scheduled jobs and the segment experiment get it; never the hot path.
 */
export const PROFILE_PASS_INDEX_ACTIONS = ['dynamodb:Scan'] as const;
export const PROFILE_PASS_TABLE_ACTIONS = ['dynamodb:BatchGetItem'] as const;

/** Writing decision records (the audit trail) in batches: one item per matched rule of a trigger. */
export const TABLE_DECISION_ACTIONS = ['dynamodb:BatchWriteItem'] as const;

export type TableAccess = {
  /** Also add and remove items in batches ({@link TABLE_MEMBERSHIP_ACTIONS}). */
  membershipWrites?: boolean;
  /** Also write decision records in batches ({@link TABLE_DECISION_ACTIONS}). */
  decisionRecords?: boolean;
  /** Also read every profile: Scan of the `profiles` index and BatchGetItem ({@link grantProfilePass}). */
  profilePass?: boolean;
  /** Also Scan the `labelled-snapshots` index (training). */
  labelledSnapshots?: boolean;
};

export type NudgeStorageProps = {
  /** Which sparse indexes to deploy: `all`, or `profiles` alone (the first step of an upgrade, one index per CloudFormation update). */
  sparseIndexes: 'all' | 'profiles';
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
 * - **RETAIN_EXCEPT_ON_CREATE** and **deletion protection**: deleting the stack (or replacing the
 *   table) never deletes customer profiles and the send history, and nobody deletes the table by
 *   hand by mistake; only a first deploy that fails removes the empty table it just created, so a
 *   retry does not trip over a table that holds nothing.
 * - **A stream of changes (old and new images)**: the rollup Lambda turns new decisions, send status
 *   changes and conversions into the reports' daily rollups without touching the hot path.
 */
export class NudgeStorage extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: NudgeStorageProps = { sparseIndexes: 'all' }) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'ttl',
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    });
    // Sparse indexes (shared/adapters/dynamo/sparse-indexes.ts): the jobs read only the items they
    // need, whatever history the table keeps. Profiles: KEYS_ONLY, so the hot path's profile write
    // (index key unchanged, no projected attribute) writes nothing to the index; the jobs BatchGet
    // the items. Labelled snapshots: ALL, they are small and training reads every attribute.
    // CloudFormation adds one index per update: `sparseIndexes: profiles` deploys only the first
    // (step 1 of upgrading a table deployed before them; README "Upgrading").
    this.table.addGlobalSecondaryIndex({
      indexName: PROFILES_INDEX,
      partitionKey: { name: PROFILES_INDEX_KEY, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
    if (props.sparseIndexes === 'all') {
      this.table.addGlobalSecondaryIndex({
        indexName: LABELLED_SNAPSHOTS_INDEX,
        partitionKey: { name: LABELLED_SNAPSHOTS_INDEX_KEY, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
    // RemovalPolicy has no RETAIN_EXCEPT_ON_CREATE; the CloudFormation policy is set directly (replacement still retains).
    (this.table.node.defaultChild as dynamodb.CfnTable).cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE;
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
      ]),
    ];
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [this.table.tableArn] }));
    if (access.profilePass) this.grantProfilePass(fn);
    if (access.labelledSnapshots) fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dynamodb:Scan'], resources: [this.indexArn(LABELLED_SNAPSHOTS_INDEX)] }));
  }

  /** `table/<name>/index/<index>`: a grant on one index, never `index/*`. */
  indexArn(indexName: string): string {
    return `${this.table.tableArn}/index/${indexName}`;
  }

  /**
   * Lets `fn` read every profile as DynamoProfileScanner does: Scan of the `profiles` index only
   * (the table itself is never scanned) and BatchGetItem of the profiles on the table. Sets `TABLE_NAME`.
   */
  grantProfilePass(fn: NudgeFunction): void {
    fn.addEnvironment(TABLE_NAME_ENV, this.table.tableName);
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...PROFILE_PASS_INDEX_ACTIONS], resources: [this.indexArn(PROFILES_INDEX)] }));
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...PROFILE_PASS_TABLE_ACTIONS], resources: [this.table.tableArn] }));
  }

  /**
   * Lets `fn` Query one customer's partition (`C#...`) and no other: e.g. ingest reads a customer's
   * engaged sends to attribute a purchase (send-tracking-repository recordConversion). The
   * `dynamodb:LeadingKeys` condition keeps the Query out of the suppression list, the segment
   * membership shards and the rollups.
   */
  grantCustomerPartitionQuery(fn: NudgeFunction): void {
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
   * on the table (not its indexes), in customer partitions only (`C#...`: not the suppression list),
   * and the erasure tombstones (`ERASED#...`: a link of an erased customer records nothing).
   * IAM has no condition key for the sort key, so the partition is as narrow as IAM allows.
   */
  grantProfileRead(fn: NudgeFunction): void {
    fn.addEnvironment(TABLE_NAME_ENV, this.table.tableName);
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem'],
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${customerPk('')}*`, `${TOMBSTONE_PK_PREFIX}*`] } },
      }),
    );
  }
}
