import { EventBridgeClient, PutEventsCommand, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { inject } from 'vitest';
import type { NudgeTestContext } from '../global-setup.ts';
import { createDocumentClient } from '#shared/adapters/aws/clients.ts';
import { CapacityMeter } from '#shared/adapters/aws/consumed-capacity.ts';
import { DynamoProfileStore } from '#shared/adapters/dynamo/profile-repository.ts';
import { DynamoSendLedger } from '#shared/adapters/dynamo/send-ledger-repository.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import type { OneTimeScheduleView } from '#local/scheduler/one-time-schedules.ts';
import { requireOutput } from '#local/stack/outputs.ts';
import { sendIdOf } from './ses-send-ids.ts';

export type SesEmail = {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: Array<{ name: string; value: string }>;
  at: number;
};

/**
 * The shared local Nudge, seen the way a user and an operator see it: endpoints, real SDK clients.
 * `context`: another local Nudge's (a browser test starts its own); the integration tests' by default.
 */
export function nudgeClient(context: Pick<NudgeTestContext, 'endpoints' | 'outputs'> = inject('nudge')) {
  const aws = { region: LOCAL_REGION, credentials: localCredentials };
  const meter = new CapacityMeter();
  const documentClient = createDocumentClient({ config: { ...aws, endpoint: context.endpoints.dynamodb }, meter });
  const eventBridge = new EventBridgeClient({ ...aws, endpoint: context.endpoints.eventBridge });
  const sqs = new SQSClient({ ...aws, endpoint: context.endpoints.sqs });
  // The local EventBridge Scheduler API is served on the EventBridge port.
  const scheduler = new SchedulerClient({ ...aws, endpoint: context.endpoints.eventBridge });
  const output = (name: string) => requireOutput(context.outputs, name);
  const control = (route: string, init?: RequestInit) => fetch(`${context.endpoints.eventBridge}/_nudge/${route}`, init).then((r) => r.json());

  return {
    context,
    output,
    meter,
    documentClient,
    sqs,
    scheduler,
    profiles: new DynamoProfileStore(documentClient, output('TableName')),
    ledger: new DynamoSendLedger(documentClient, output('TableName')),

    async putEvents(entries: Array<{ source?: string; detailType: string; detail: unknown }>): Promise<PutEventsResultEntry[]> {
      const response = await eventBridge.send(
        new PutEventsCommand({
          Entries: entries.map((entry) => ({
            Source: entry.source ?? 'shop.web',
            DetailType: entry.detailType,
            Detail: typeof entry.detail === 'string' ? entry.detail : JSON.stringify(entry.detail),
            EventBusName: output('EventBusName'),
          })),
        }),
      );
      return response.Entries ?? [];
    },

    /** Waits until every event put so far and every send it queued has been processed. */
    /**
     * Waits until every event, queue, stream, schedule and execution is processed. Fails when the
     * system is still busy after `timeoutMs` (the control API answers with what is busy): a test
     * must never go on to assert over half-processed work.
     */
    async waitForIdle(timeoutMs = 60_000): Promise<void> {
      const answer = (await control(`idle?timeoutMs=${timeoutMs}`)) as { idle?: boolean; error?: string; message?: string };
      if (answer.idle !== true) throw new Error(`the local system did not become idle: ${answer.message ?? answer.error ?? JSON.stringify(answer)}`);
    },

    async now(): Promise<Date> {
      return new Date(((await control('clock')) as { now: string }).now);
    },

    /**
     * Moves the simulated clock to the next weekday 10:00 UTC (now, if it is a weekday between 10:00
     * and 18:00), so marketing sends decided next are not held back by quiet hours.
     */
    async daytime(): Promise<Date> {
      const now = new Date(((await control('clock')) as { now: string }).now);
      const hour = now.getUTCHours();
      const weekday = now.getUTCDay() !== 0 && now.getUTCDay() !== 6;
      if (weekday && hour >= 10 && hour < 18) return now;
      const next = new Date(now);
      next.setUTCHours(10, 0, 0, 0);
      if (next <= now) next.setUTCDate(next.getUTCDate() + 1);
      while (next.getUTCDay() === 0 || next.getUTCDay() === 6) next.setUTCDate(next.getUTCDate() + 1);
      const state = (await control('clock', { method: 'POST', body: JSON.stringify({ to: next.toISOString() }) })) as { now: string };
      return new Date(state.now);
    },

    async advanceClock(duration: string): Promise<Date> {
      const state = (await control('clock', { method: 'POST', body: JSON.stringify({ advance: duration }) })) as { now: string };
      return new Date(state.now);
    },

    /** Events accepted on the local bus (GET /_nudge/events), newest last; every filter is optional. */
    async busEvents(filters: { source?: string; sourcePrefix?: string; detailType?: string; customerId?: string; limit?: number } = {}): Promise<BusEventEnvelope[]> {
      const query = new URLSearchParams();
      for (const [name, value] of Object.entries(filters)) if (value !== undefined) query.set(name, String(value));
      return ((await control(`events?${query}`)) as { events: BusEventEnvelope[] }).events;
    },

    /** The local scheduler's view of the stack's schedule rules (GET /_nudge/schedules). */
    async schedules(): Promise<{ now: string; schedules: LocalSchedule[] }> {
      return (await control('schedules')) as { now: string; schedules: LocalSchedule[] };
    },

    /** Runs a schedule rule now, by its logical id or a part of it, and waits for it (POST /_nudge/schedules/run). */
    async runSchedule(rule: string): Promise<{ ran?: string; ok?: boolean; error?: string; message?: string }> {
      return (await control('schedules/run', { method: 'POST', body: JSON.stringify({ rule }) })) as { ran?: string; ok?: boolean; error?: string; message?: string };
    },

    /** The one-time schedules the local EventBridge Scheduler holds (GET /_nudge/one-time-schedules), due first. */
    async oneTimeSchedules(): Promise<{ now: string; schedules: OneTimeScheduleView[] }> {
      return (await control('one-time-schedules')) as { now: string; schedules: OneTimeScheduleView[] };
    },

    /** The local ARN of a queue named by a stack output holding its URL (the URL ends in the queue name). */
    queueArn(queueOutput: string): string {
      return `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${output(queueOutput).split('/').at(-1)}`;
    },

    /** The local ARN of a function named by a stack output holding its name. */
    functionArn(functionOutput: string): string {
      return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${output(functionOutput)}`;
    },

    async emailsTo(address: string): Promise<SesEmail[]> {
      const store = (await (await fetch(`${context.endpoints.ses}/store`)).json()) as { emails: SesEmail[] };
      return store.emails.filter((email) => email.destination.to.includes(address));
    },

    /**
     * The emails of one send (`sendIdOf`: read from its signed pixel or unsubscribe link). Counting by send, not by address, keeps a test apart from the customer's other mail
     * (a welcome held by quiet hours may leave during the same clock advance).
     */
    async emailsForSend(address: string, sendId: string): Promise<SesEmail[]> {
      return (await this.emailsTo(address)).filter((email) => sendIdOf(email) === sendId);
    },

    async sendToQueue(queueOutput: string, body: unknown): Promise<void> {
      await sqs.send(new SendMessageCommand({ QueueUrl: output(queueOutput), MessageBody: JSON.stringify(body) }));
    },

    /** Reads (and removes) every message currently on a queue. */
    async drainQueue(queueOutput: string): Promise<unknown[]> {
      const bodies: unknown[] = [];
      for (;;) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: output(queueOutput), MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 30 }),
        );
        if (Messages.length === 0) return bodies;
        for (const message of Messages) {
          bodies.push(JSON.parse(message.Body ?? 'null'));
          await sqs.send(new DeleteMessageCommand({ QueueUrl: output(queueOutput), ReceiptHandle: message.ReceiptHandle! }));
        }
      }
    },
  };
}

/** An event as the local bus accepted it (the EventBridge envelope). */
export type BusEventEnvelope = {
  id: string;
  source: string;
  'detail-type': string;
  time: string;
  resources: string[];
  detail: Record<string, unknown>;
};

/** One schedule rule as GET /_nudge/schedules lists it. */
export type LocalSchedule = {
  rule: string;
  expression: string;
  targets: Array<{ functionId: string; entry: string }>;
  nextFireAt: string | null;
  lastFiredAt: string | null;
  lastRun: { ok: boolean; error?: string; trigger: 'schedule' | 'manual'; skippedPeriods: number; finishedAt: string } | null;
  running: number;
};

let unique = 0;
/** Ids unique across test runs against the same long-lived stack. */
export function uniqueId(prefix: string): string {
  unique += 1;
  return `${prefix}-${Date.now().toString(36)}-${unique}`;
}
