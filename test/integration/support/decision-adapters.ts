import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { DynamoClaimStore } from '#shared/adapters/dynamo/claim-repository.ts';
import { DynamoErasureTombstones } from '#shared/adapters/dynamo/erasure-tombstone-repository.ts';
import { DynamoSendTracking } from '#shared/adapters/dynamo/send-tracking-repository.ts';
import { DynamoDecisionLog } from '#shared/adapters/dynamo/decision-log-repository.ts';
import { EventBridgeOneTimeSchedules } from '#shared/adapters/scheduler/one-time-schedules.ts';
import { SqsSendQueue } from '#shared/adapters/sqs/send-queue.ts';
import type { Clock } from '#shared/domain/clock.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import type { nudgeClient } from './nudge-client.ts';

/**
 * The real adapters of the shared decision path (claims, queue, one-time schedules, decision log,
 * send tracking, erasure tombstones),
 * pointed at the running local system, for tests that run a service in this process.
 */
export function realDecisionAdapters(nudge: ReturnType<typeof nudgeClient>, clock: Clock) {
  const table = nudge.output('TableName');
  const scheduler = new SchedulerClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: nudge.context.endpoints.eventBridge });
  return {
    claims: new DynamoClaimStore(nudge.documentClient, table),
    sendQueue: new SqsSendQueue(nudge.sqs, nudge.output('SendQueueUrl')),
    delayed: new EventBridgeOneTimeSchedules(
      scheduler,
      {
        groupName: nudge.output('ScheduleGroupName'),
        roleArn: nudge.output('SchedulerRoleArn'),
        sendQueueArn: nudge.output('SendQueueArn'),
        timerFunctionArn: nudge.output('TimerFunctionArn'),
      },
      clock,
    ),
    decisions: new DynamoDecisionLog(nudge.documentClient, table),
    tracking: new DynamoSendTracking(nudge.documentClient, table),
    erasures: new DynamoErasureTombstones(nudge.documentClient, table),
  };
}
