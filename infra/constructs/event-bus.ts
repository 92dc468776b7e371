import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { NudgeFunction } from './nudge-function.ts';

/** The environment variable handlers that put internal events read the bus name from. */
export const EVENT_BUS_NAME_ENV = 'EVENT_BUS_NAME';

export type NudgeEventBusProps = {
  /** The bus name producers use as `EventBusName` (the public contract; default `nudge`). */
  busName: string;
  /** Days the archive keeps events; 0 keeps them forever. */
  archiveRetentionDays: number;
};

/**
 * The custom bus every producer puts behavior events on, and Nudge its internal events.
 *
 * - A **custom bus**, not `default`: its name is part of the public event contract, its rules are
 *   only Nudge's, and AWS service events on the default bus cannot reach the handlers by accident.
 * - An **archive of every event** (no filter pattern): raw events are deliberately not stored per
 *   event in DynamoDB, so the archive is what lets an operator replay history into a fixed or new rule.
 *   Retention is the catalog's `eventArchiveRetentionDays` (a year by default); archive storage is billed per GB, far
 *   below what the same events would cost as table items.
 */
export class NudgeEventBus extends Construct {
  readonly bus: events.EventBus;
  readonly archive: events.Archive;

  constructor(scope: Construct, id: string, props: NudgeEventBusProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: props.busName });
    this.archive = new events.Archive(this, 'Archive', {
      sourceEventBus: this.bus,
      description: `Every event put on ${props.busName}, for replay`,
      // An empty pattern renders to no EventPattern at all: the archive receives every event on the bus.
      eventPattern: {},
      retention: Duration.days(props.archiveRetentionDays),
    });
    // Without a kmsKey the L2 still renders `KmsKeyIdentifier: ""`, which CloudFormation rejects in
    // some regions (the archive is then encrypted with an AWS owned key, as intended).
    if (!Stack.of(this).resolve((this.archive.node.defaultChild as events.CfnArchive).kmsKeyIdentifier)) {
      (this.archive.node.defaultChild as events.CfnArchive).addPropertyDeletionOverride('KmsKeyIdentifier');
    }
  }

  /**
   * Lets `fn` put Nudge's internal events (source `nudge`: segment, lifecycle and VIP changes) on this
   * bus: sets `EVENT_BUS_NAME` and grants `events:PutEvents` on this bus only (not the default bus).
   */
  grantPutEvents(fn: NudgeFunction): void {
    fn.addEnvironment(EVENT_BUS_NAME_ENV, this.bus.eventBusName);
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [this.bus.eventBusArn] }));
  }
}
