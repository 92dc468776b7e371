import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
  type MessageAttributeValue,
  type MessageSystemAttributeName,
  type QueueAttributeName,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DOCUMENT_TRANSLATE_CONFIG } from '#shared/adapters/dynamo/translate-config.ts';
import { DynamoSendLedger } from '#shared/adapters/dynamo/send-ledger-repository.ts';
import { EventBridgeOneTimeSchedules } from '#shared/adapters/scheduler/one-time-schedules.ts';
import { RuleTimer } from '#shared/domain/rule-timer.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { requireOutput } from '#local/stack/outputs.ts';
import { printResult } from '../format.ts';
import { callLocal, type LocalStatus } from '../local-control.ts';

/** The queues where failed work waits for people, by the stack output that names each. */
export const DLQ_QUEUES = {
  send: { output: 'SendDeadLetterQueueUrl', holds: 'sends the dispatcher failed 5 times (SES throttling, ...)' },
  ingest: { output: 'IngestDeadLetterQueueUrl', holds: 'events that could not be ingested after retries' },
  triggers: { output: 'TriggersDeadLetterQueueUrl', holds: 'rule timers and model-event runs that failed after retries' },
  sequences: { output: 'SequencesDeadLetterQueueUrl', holds: 'sequence starts and stage-change stops that failed after retries' },
  rollups: { output: 'RollupsDeadLetterQueueUrl', holds: 'stream batches the report rollups could not add after retries (their stream position; not redriven)' },
  scoring: { output: 'ScoringDeadLetterQueueUrl', holds: 'scoring tasks (Scan segments) that failed 3 times (the next daily run scores them again; not redriven)' },
  rejected: { output: 'RejectedEventsQueueUrl', holds: 'malformed events, with the reasons (fix and put them again; not redriven)' },
} as const;
export type DlqName = keyof typeof DLQ_QUEUES;
export const DLQ_NAMES = Object.keys(DLQ_QUEUES) as DlqName[];
export const REDRIVABLE_DLQS = ['send', 'ingest', 'triggers', 'sequences'] as const satisfies readonly DlqName[];
export type RedrivableDlq = (typeof REDRIVABLE_DLQS)[number];

/** How long a message listed or being redriven stays hidden from other readers of the queue. */
const LIST_VISIBILITY_SECONDS = 30;
const REDRIVE_VISIBILITY_SECONDS = 120;
const DEFAULT_LIST_MAX = 50;
/** Age and receive count; asked for both ways, as some SQS emulators only know the older AttributeNames. */
const SYSTEM_ATTRIBUTES: { MessageSystemAttributeNames: MessageSystemAttributeName[]; AttributeNames: QueueAttributeName[] } = {
  MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
  AttributeNames: ['All'],
};

/** One message on a DLQ, as `nudge dlq list` shows it. */
export type DlqEntry = {
  messageId: string;
  /** What the body is: a queued send, an EventBridge event, a rule timer, a rejected event, or something else. */
  kind: 'send_request' | 'event' | 'rule_timer' | 'rejected_event' | 'unknown';
  /** The function that gave up on it, when the body is a Lambda on-failure destination record. */
  failedFunction: string | null;
  failure: string | null;
  sendId: string | null;
  ruleId: string | null;
  customerId: string | null;
  eventType: string | null;
  eventId: string | null;
  sentAt: string | null;
  ageSeconds: number | null;
  receiveCount: number | null;
  /** For a queued send: its send ledger record (status, attempts, last error). */
  ledger: { status: string; attempts: number; lastError: string | null } | null;
  body: unknown;
};

export type DlqListing = { queue: DlqName; output: string; url: string; holds: string; approximateCount: number; messages: DlqEntry[] };

type Context = {
  status: LocalStatus;
  sqs: SQSClient;
  url(queue: DlqName): string;
  close(): void;
};

async function connect(): Promise<Context> {
  const status = await callLocal<LocalStatus>('status');
  const sqs = new SQSClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: status.endpoints.sqs });
  return { status, sqs, url: (queue) => requireOutput(status.outputs, DLQ_QUEUES[queue].output), close: () => sqs.destroy() };
}

/** `nudge dlq list [--queue <name>] [--max <n>]`: the messages on each DLQ, left where they are. */
export async function listDlq(options: { queue?: DlqName; max?: string; json?: boolean }): Promise<void> {
  const max = parseMax(options.max) ?? DEFAULT_LIST_MAX;
  const queues = options.queue ? [options.queue] : DLQ_NAMES;
  const context = await connect();
  const dynamodb = new DynamoDBClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: context.status.endpoints.dynamodb });
  const ledger = new DynamoSendLedger(DynamoDBDocumentClient.from(dynamodb, DOCUMENT_TRANSLATE_CONFIG), requireOutput(context.status.outputs, 'TableName'));
  try {
    const listings = await Promise.all(
      queues.map(async (queue): Promise<DlqListing> => {
        const url = context.url(queue);
        const approximateCount = await approximateCountOf(context.sqs, url);
        const messages = await peek(context.sqs, url, max, approximateCount);
        const entries = await Promise.all(messages.map((message) => withLedger(describeMessage(message, Date.now()), ledger)));
        return { queue, output: DLQ_QUEUES[queue].output, url, holds: DLQ_QUEUES[queue].holds, approximateCount, messages: entries };
      }),
    );
    printResult({ queues: listings }, options, () => listings.map(listingTable).join('\n\n'));
  } finally {
    dynamodb.destroy();
    context.close();
  }
}

/**
 * `nudge dlq redrive [--queue send|ingest|triggers|sequences] [--max <n>]`: sends each message back where it
 * failed, and deletes it from the DLQ only once that worked. Queued sends go back to the send queue
 * unchanged; events go back on the bus (PutEvents: source, detail-type, detail); rule timers get a
 * one-time schedule of the timers function again (EventBridge Scheduler, as when they were set).
 * Anything else stays on the queue, with the reason.
 */
export async function redriveDlq(options: { queue?: RedrivableDlq; max?: string; json?: boolean }): Promise<void> {
  const max = parseMax(options.max);
  const queues: RedrivableDlq[] = options.queue ? [options.queue] : [...REDRIVABLE_DLQS];
  const context = await connect();
  const targets = redriveTargets(context);
  const progress = (line: string) => {
    if (!options.json) console.log(line);
  };
  try {
    const results: RedriveSummary[] = [];
    for (const queue of queues) results.push(await redriveQueue(queue, context, targets, max, progress));
    printResult({ queues: results }, options, () => results.map(summaryLine).join('\n'));
    if (results.some((r) => r.failed.length > 0)) process.exitCode = 1;
  } finally {
    targets.close();
    context.close();
  }
}

type RedriveOutcome = { type: 'moved'; to: string } | { type: 'kept'; reason: string };
export type RedriveSummary = {
  queue: RedrivableDlq;
  total: number;
  moved: number;
  /** Messages left on the DLQ, with the reason: nothing to redrive them to, or the re-send (or the delete) failed. */
  failed: Array<{ messageId: string; summary: string; reason: string }>;
};

async function redriveQueue(
  queue: RedrivableDlq,
  context: Context,
  targets: RedriveTargets,
  max: number | undefined,
  progress: (line: string) => void,
): Promise<RedriveSummary> {
  const url = context.url(queue);
  const count = await approximateCountOf(context.sqs, url);
  // Without --max: what the queue holds now, so work that fails again and comes back is not redriven in a loop.
  const limit = max ?? count;
  const expected = Math.min(limit, count);
  const summary: RedriveSummary = { queue, total: 0, moved: 0, failed: [] };
  if (limit === 0) return summary;
  progress(`${queue}: redriving ${expected} of ${count} message(s) on ${DLQ_QUEUES[queue].output}`);
  const left: Message[] = [];
  const seen = new Set<string>();
  let attempted = 0;
  try {
    while (attempted < limit) {
      const { Messages = [] } = await context.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: Math.min(10, limit - attempted),
          VisibilityTimeout: REDRIVE_VISIBILITY_SECONDS,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ['All'],
          ...SYSTEM_ATTRIBUTES,
        }),
      );
      if (Messages.length === 0) break;
      let again = false;
      for (const message of Messages) {
        const id = message.MessageId ?? '';
        if (seen.has(id) || attempted >= limit) {
          // Seen before (its visibility lapsed: stop here) or beyond --max: not this run's work.
          left.push(message);
          again = again || seen.has(id);
          continue;
        }
        seen.add(id);
        attempted += 1;
        const entry = describeMessage(message, Date.now());
        const label = `${attempted}/${Math.max(expected, attempted)} ${entryLabel(entry)}`;
        let outcome: RedriveOutcome;
        try {
          outcome = await redriveOne(queue, message, targets);
        } catch (error) {
          outcome = { type: 'kept', reason: `re-send failed: ${error instanceof Error ? error.message : String(error)}` };
        }
        if (outcome.type === 'moved') {
          try {
            await context.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle! }));
          } catch (error) {
            // Re-sent but still on the DLQ: a later redrive sends it again (sends, events and timers are deduplicated downstream).
            const reason = `re-sent to ${outcome.to}, but not deleted from the DLQ: ${error instanceof Error ? error.message : String(error)}`;
            summary.failed.push({ messageId: id, summary: entryLabel(entry), reason });
            progress(`  ${label} ${reason}`);
            continue;
          }
          summary.moved += 1;
          progress(`  ${label} -> ${outcome.to}`);
        } else {
          left.push(message);
          summary.failed.push({ messageId: id, summary: entryLabel(entry), reason: outcome.reason });
          progress(`  ${label} left on the queue: ${outcome.reason}`);
        }
      }
      if (again) break;
    }
  } finally {
    await release(context.sqs, url, left);
  }
  summary.total = attempted;
  return summary;
}

type RedriveTargets = {
  sendQueue(message: Message): Promise<RedriveOutcome>;
  bus(event: BusEvent): Promise<RedriveOutcome>;
  timers(timer: RuleTimer): Promise<RedriveOutcome>;
  close(): void;
};

function redriveTargets(context: Context): RedriveTargets {
  const { status } = context;
  const aws = { region: LOCAL_REGION, credentials: localCredentials };
  const eventBridge = new EventBridgeClient({ ...aws, endpoint: status.endpoints.eventBridge });
  // The local EventBridge Scheduler API is served on the EventBridge port.
  const schedulerEndpoint = (status.endpoints as { scheduler?: string }).scheduler ?? status.endpoints.eventBridge;
  const scheduler = new SchedulerClient({ ...aws, endpoint: schedulerEndpoint });
  const output = (name: string) => requireOutput(status.outputs, name);
  // Timers are scheduled on the system's clock (simulated locally), as the functions do.
  const fetchedAt = Date.now();
  const clock = { now: () => new Date(Date.parse(status.now) + (Date.now() - fetchedAt)) };
  let schedules: Promise<EventBridgeOneTimeSchedules> | undefined;
  const timerSchedules = () =>
    (schedules ??= (async () => {
      const { Attributes } = await context.sqs.send(new GetQueueAttributesCommand({ QueueUrl: context.url('triggers'), AttributeNames: ['QueueArn'] }));
      return new EventBridgeOneTimeSchedules(
        scheduler,
        {
          groupName: output('ScheduleGroupName'),
          roleArn: output('SchedulerRoleArn'),
          sendQueueArn: output('SendQueueArn'),
          timerFunctionArn: output('TimerFunctionArn'),
          ...(Attributes?.QueueArn ? { deadLetterQueueArn: Attributes.QueueArn } : {}),
        },
        clock,
      );
    })());

  return {
    async sendQueue(message) {
      await context.sqs.send(
        new SendMessageCommand({
          QueueUrl: output('SendQueueUrl'),
          MessageBody: message.Body ?? '',
          ...(message.MessageAttributes ? { MessageAttributes: userAttributes(message.MessageAttributes) } : {}),
        }),
      );
      return { type: 'moved', to: 'the send queue' };
    },
    async bus(event) {
      const busName = output('EventBusName');
      const response = await eventBridge.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: busName,
              Source: event.source,
              DetailType: event['detail-type'],
              Detail: JSON.stringify(event.detail),
              ...(Array.isArray(event.resources) && event.resources.length > 0 ? { Resources: event.resources.map(String) } : {}),
            },
          ],
        }),
      );
      const entry = response.Entries?.[0];
      if ((response.FailedEntryCount ?? 0) > 0 || entry?.ErrorCode) throw new Error(`PutEvents refused it: ${entry?.ErrorCode ?? 'error'} ${entry?.ErrorMessage ?? ''}`.trim());
      return { type: 'moved', to: `the event bus ${busName} (${event['detail-type']})` };
    },
    async timers(timer) {
      await (await timerSchedules()).scheduleTimer(timer);
      return { type: 'moved', to: `a one-time schedule of the timers function (${timer.kind} ${timer.ruleId})` };
    },
    close() {
      eventBridge.destroy();
      scheduler.destroy();
    },
  };
}

async function redriveOne(queue: RedrivableDlq, message: Message, targets: RedriveTargets): Promise<RedriveOutcome> {
  // The send DLQ holds send-queue messages as they were (SQS redrive policy): back unchanged.
  if (queue === 'send') return targets.sendQueue(message);
  const body = parseJson(message.Body);
  if (body === undefined) return { type: 'kept', reason: 'the body is not JSON' };
  // A Lambda on-failure record carries the function's input; an EventBridge rule target's DLQ gets the event itself.
  const payload = isFailureRecord(body) ? body.requestPayload : body;
  if (isBusEvent(payload)) return targets.bus(payload);
  if (queue === 'triggers') {
    const timer = RuleTimer.safeParse(payload);
    if (timer.success) return targets.timers(timer.data);
    if (isRecord(payload) && 'timerId' in payload) return { type: 'kept', reason: `not a valid rule timer (${timer.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})` };
  }
  return { type: 'kept', reason: `neither an EventBridge event${queue === 'triggers' ? ' nor a rule timer' : ''}: nothing to redrive it to` };
}

type BusEvent = { source: string; 'detail-type': string; detail: unknown; resources?: unknown[] };
type FailureRecord = {
  requestContext: { functionArn?: string; condition?: string; approximateInvokeCount?: number };
  requestPayload: unknown;
  responsePayload?: { errorType?: string; errorMessage?: string } | null;
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFailureRecord(value: unknown): value is FailureRecord {
  return isRecord(value) && isRecord(value.requestContext) && 'requestPayload' in value;
}

function isBusEvent(value: unknown): value is BusEvent {
  return isRecord(value) && typeof value.source === 'string' && typeof value['detail-type'] === 'string' && 'detail' in value;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** What a message is and why it is here, from its body (and, for rule-target DLQs, EventBridge's attributes). */
export function describeMessage(message: Message, nowMs: number): DlqEntry {
  const body = parseJson(message.Body);
  const sent = Number(message.Attributes?.SentTimestamp);
  const receives = Number(message.Attributes?.ApproximateReceiveCount);
  const entry: DlqEntry = {
    messageId: message.MessageId ?? '',
    kind: 'unknown',
    failedFunction: null,
    failure: null,
    sendId: null,
    ruleId: null,
    customerId: null,
    eventType: null,
    eventId: null,
    sentAt: Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : null,
    ageSeconds: Number.isFinite(sent) && sent > 0 ? Math.max(0, Math.round((nowMs - sent) / 1000)) : null,
    receiveCount: Number.isFinite(receives) && receives > 0 ? receives : null,
    ledger: null,
    body: body ?? message.Body ?? null,
  };
  const attributes = message.MessageAttributes ?? {};
  // EventBridge's DLQ attributes on a rule target's undeliverable event.
  const ruleTargetError = [attributes.ERROR_CODE?.StringValue, attributes.ERROR_MESSAGE?.StringValue].filter(Boolean).join(': ');
  if (ruleTargetError) entry.failure = `EventBridge could not deliver it: ${ruleTargetError}`;

  let payload = body;
  if (isFailureRecord(body)) {
    const { requestContext, responsePayload } = body;
    entry.failedFunction = requestContext.functionArn?.split(':function:')[1]?.split(':')[0] ?? requestContext.functionArn ?? null;
    const error = [responsePayload?.errorType, responsePayload?.errorMessage].filter(Boolean).join(': ');
    const attempts = requestContext.approximateInvokeCount ? ` after ${requestContext.approximateInvokeCount} attempts` : '';
    entry.failure = `${requestContext.condition ?? 'failed'}${attempts}${error ? `: ${error}` : ''}`;
    payload = body.requestPayload;
  }
  if (!isRecord(payload)) return entry;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
  if (typeof payload.sendId === 'string' && typeof payload.templateId === 'string') {
    entry.kind = 'send_request';
    entry.sendId = payload.sendId;
    entry.ruleId = text(payload.ruleId);
    entry.customerId = text(payload.customerId);
    if (isRecord(payload.trigger)) {
      entry.eventType = text(payload.trigger.type);
      entry.eventId = text(payload.trigger.eventId);
    }
  } else if (isBusEvent(payload)) {
    entry.kind = 'event';
    entry.eventType = payload['detail-type'];
    if (isRecord(payload.detail)) {
      entry.customerId = text(payload.detail.customerId);
      entry.eventId = text(payload.detail.eventId);
      entry.ruleId = text(payload.detail.ruleId);
    }
  } else if (typeof payload.timerId === 'string') {
    entry.kind = 'rule_timer';
    entry.ruleId = text(payload.ruleId);
    entry.customerId = text(payload.customerId);
    if (isRecord(payload.trigger)) {
      entry.eventType = text(payload.trigger.type);
      entry.eventId = text(payload.trigger.eventId);
    }
  } else if (typeof payload.reason === 'string' && 'original' in payload) {
    entry.kind = 'rejected_event';
    entry.failure = payload.reason;
    const original = payload.original;
    if (isRecord(original)) {
      entry.eventType = text(original['detail-type']);
      const detail = isRecord(original.detail) ? original.detail : original;
      entry.customerId = text(detail.customerId);
      entry.eventId = text(detail.eventId);
    }
  }
  return entry;
}

async function withLedger(entry: DlqEntry, ledger: DynamoSendLedger): Promise<DlqEntry> {
  if (entry.kind !== 'send_request' || !entry.customerId || !entry.sendId) return entry;
  const record = await ledger.find(entry.customerId, entry.sendId).catch(() => undefined);
  if (!record) return entry;
  const lastError = record.lastError ?? record.failureReason ?? null;
  return {
    ...entry,
    ledger: { status: record.status, attempts: record.attempts, lastError },
    failure: entry.failure ?? (lastError ? `${record.status} after ${record.attempts} attempt(s): ${lastError}` : null),
  };
}

/**
 * Receives up to `max` messages without deleting them, then makes them visible again at once.
 * Stops once it has seen the `expected` count (ApproximateNumberOfMessages), so it never waits on an empty queue.
 */
async function peek(sqs: SQSClient, url: string, max: number, expected: number): Promise<Message[]> {
  const seen = new Map<string, Message>();
  if (expected === 0) return [];
  try {
    while (seen.size < max && seen.size < expected) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: Math.min(10, max - seen.size),
          VisibilityTimeout: LIST_VISIBILITY_SECONDS,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ['All'],
          ...SYSTEM_ATTRIBUTES,
        }),
      );
      const fresh = Messages.filter((m) => m.MessageId && !seen.has(m.MessageId));
      if (fresh.length === 0) break;
      for (const message of fresh) seen.set(message.MessageId!, message);
    }
  } finally {
    await release(sqs, url, [...seen.values()]);
  }
  return [...seen.values()].sort((a, b) => Number(a.Attributes?.SentTimestamp ?? 0) - Number(b.Attributes?.SentTimestamp ?? 0));
}

/** Makes received messages visible again now (instead of when their visibility timeout lapses). */
async function release(sqs: SQSClient, url: string, messages: Message[]): Promise<void> {
  for (let start = 0; start < messages.length; start += 10) {
    const batch = messages.slice(start, start + 10);
    await sqs
      .send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: url,
          Entries: batch.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle!, VisibilityTimeout: 0 })),
        }),
      )
      .catch(() => undefined); // they reappear when the timeout lapses anyway
  }
}

async function approximateCountOf(sqs: SQSClient, url: string): Promise<number> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
}

/** The message attributes to copy onto the re-sent message (SQS refuses list values on SendMessage). */
function userAttributes(attributes: Record<string, MessageAttributeValue>): Record<string, MessageAttributeValue> {
  const copied: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (!value.DataType) continue;
    if (value.StringValue !== undefined) copied[name] = { DataType: value.DataType, StringValue: value.StringValue };
    else if (value.BinaryValue !== undefined) copied[name] = { DataType: value.DataType, BinaryValue: value.BinaryValue };
  }
  return copied;
}

function parseMax(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const max = Number(raw);
  if (!Number.isInteger(max) || max < 1) throw new Error(`--max must be a whole number of messages, at least 1 (got "${raw}")`);
  return max;
}

function entryLabel(entry: DlqEntry): string {
  const what = {
    send_request: `send ${entry.sendId}`,
    event: `event ${entry.eventType}`,
    rule_timer: 'timer',
    rejected_event: 'rejected event',
    unknown: `message ${entry.messageId}`,
  }[entry.kind];
  const parts = [
    what,
    entry.ruleId ? `rule ${entry.ruleId}` : null,
    entry.customerId ? `customer ${entry.customerId}` : null,
    entry.kind !== 'send_request' && entry.eventId ? `event id ${entry.eventId}` : null,
  ];
  return parts.filter(Boolean).join('  ') || entry.messageId;
}

function listingTable(listing: DlqListing): string {
  const head = `${listing.queue} (${listing.output}): ${listing.approximateCount === 0 && listing.messages.length === 0 ? 'empty' : `${listing.approximateCount} message(s)`} - ${listing.holds}`;
  const shown = listing.messages.length < listing.approximateCount ? [`  (showing ${listing.messages.length}; --max to see more)`] : [];
  return [
    head,
    ...listing.messages.flatMap((entry) => [
      `  ${formatAge(entry.ageSeconds).padStart(9)}  ${entryLabel(entry)}`,
      ...(entry.failedFunction ? [`             function: ${entry.failedFunction}`] : []),
      ...(entry.failure ? [`             failure:  ${entry.failure}`] : []),
    ]),
    ...shown,
  ].join('\n');
}

function summaryLine(summary: RedriveSummary): string {
  const line = `${summary.queue}: ${summary.total === 0 ? 'nothing to redrive' : `moved ${summary.moved} of ${summary.total}`}`;
  return summary.failed.length === 0 ? line : `${line}; ${summary.failed.length} left on the queue (see above)`;
}

function formatAge(seconds: number | null): string {
  if (seconds === null) return 'age ?';
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}
