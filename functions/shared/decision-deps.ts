import * as z from 'zod';
import { dynamoDocumentClient, eventBridge, scheduler, sqs } from '#shared/adapters/aws/clients.ts';
import { DynamoClaimStore } from '#shared/adapters/dynamo/claim-repository.ts';
import { DynamoDecisionLog } from '#shared/adapters/dynamo/decision-log-repository.ts';
import { DynamoExperimentWinnerReader } from '#shared/adapters/dynamo/experiment-winner-reader.ts';
import { EventBridgeInternalEventBus } from '#shared/adapters/eventbridge/internal-event-publisher.ts';
import { EventBridgeOneTimeSchedules } from '#shared/adapters/scheduler/one-time-schedules.ts';
import { SqsSendQueue } from '#shared/adapters/sqs/send-queue.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { readConfig } from '#shared/config.ts';
import type { DelayedWork, Log } from '#shared/domain/ports.ts';
import type { DecisionDeps } from '#shared/services/decide-sends.ts';

/** What every function that decides sends is configured with (set by infra/constructs/triggers.ts). */
export const decisionEnvironment = {
  TABLE_NAME: z.string().min(1),
  /** Nudge's bus: a rule that starts a sequence puts `SequenceStartRequested` on it. */
  EVENT_BUS_NAME: z.string().min(1),
  SEND_QUEUE_URL: z.string().url(),
  SEND_QUEUE_ARN: z.string().min(1),
  SCHEDULE_GROUP_NAME: z.string().min(1),
  SCHEDULER_ROLE_ARN: z.string().min(1),
  /** Where EventBridge Scheduler puts a schedule it could not deliver after its retries. */
  SCHEDULE_DEAD_LETTER_QUEUE_ARN: z.string().min(1),
  /** Absent only in the timers function itself (a function cannot reference its own ARN in CloudFormation). */
  TIMER_FUNCTION_ARN: z.string().min(1).optional(),
};

export type DecisionConfig = ReturnType<typeof readDecisionConfig>;

export function readDecisionConfig() {
  return readConfig(decisionEnvironment);
}

/** The adapters behind the shared decision path (claims, queue, schedules, decision log). */
export function decisionDeps(config: DecisionConfig, log: Log, timerFunctionArn = config.TIMER_FUNCTION_ARN): DecisionDeps {
  const documentClient = dynamoDocumentClient();
  const schedules = new EventBridgeOneTimeSchedules(scheduler(), {
    groupName: config.SCHEDULE_GROUP_NAME,
    roleArn: config.SCHEDULER_ROLE_ARN,
    sendQueueArn: config.SEND_QUEUE_ARN,
    timerFunctionArn: timerFunctionArn ?? '',
    deadLetterQueueArn: config.SCHEDULE_DEAD_LETTER_QUEUE_ARN,
  });
  const delayed: DelayedWork = {
    scheduleSend: (request, at) => schedules.scheduleSend(request, at),
    scheduleTimer: (timer) => (timerFunctionArn ? schedules.scheduleTimer(timer) : Promise.reject(missingTimerArn())),
  };
  return {
    claims: new DynamoClaimStore(documentClient, config.TABLE_NAME),
    sendQueue: new SqsSendQueue(sqs(), config.SEND_QUEUE_URL),
    delayed,
    decisions: new DynamoDecisionLog(documentClient, config.TABLE_NAME),
    bus: new EventBridgeInternalEventBus(eventBridge(), config.EVENT_BUS_NAME),
    catalog: defaultCatalog,
    log,
    // A recorded winner reaches new decisions within this long (one Get per experiment per container and period).
    winners: new DynamoExperimentWinnerReader(documentClient, config.TABLE_NAME, { cacheMs: WINNER_CACHE_MS }),
  };
}

const WINNER_CACHE_MS = 5 * 60_000;

function missingTimerArn(): Error {
  return new Error('TIMER_FUNCTION_ARN is not set: this function cannot schedule rule timers');
}
