import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

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
 *   Retention defaults to a year (context `archiveRetentionDays`); archive storage is billed per GB, far
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
  }
}
