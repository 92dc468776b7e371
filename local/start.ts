/**
 * `npm start`: the whole of Nudge on this machine, no AWS account needed.
 * `npm start -- --no-demo` (or NUDGE_DEMO=0) skips the demo scenario, for putting your own events.
 */
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DOCUMENT_TRANSLATE_CONFIG } from '#shared/adapters/dynamo/translate-config.ts';
import { portsFromEnv } from './config.ts';
import { hideSdkNodeVersionNotice } from './quiet-sdk-warning.ts';
import { readScenario, replayScenario } from './demo/replay-scenario.ts';
import { DemoRecipients } from './demo/recipients.ts';
import { summarizeDemo } from './demo/summary.ts';
import { runDelayedWork } from './clock/run-delayed-work.ts';
import { LOCAL_REGION, localCredentials } from './emulators/local-aws.ts';
import { requireOutput } from './stack/outputs.ts';
import { PROJECT_ROOT, startLocalSystem, type LocalSystem } from './system.ts';

const DEMO_SCENARIO = join(PROJECT_ROOT, 'events/scenarios/demo.jsonl');

async function main(): Promise<void> {
  hideSdkNodeVersionNotice();
  const runDemo = !process.argv.includes('--no-demo') && process.env.NUDGE_DEMO !== '0';
  const log = {
    info: (message: string) => console.log(message),
    warn: (message: string) => console.warn(`warn: ${message}`),
    error: (message: string) => console.error(`error: ${message}`),
  };
  console.log('Starting Nudge locally (DynamoDB Local, SQS, SES, EventBridge) ...');
  const system = await startLocalSystem({ ports: portsFromEnv(), log, handlerLogLevel: process.env.NUDGE_LOG_LEVEL ?? 'WARN' });
  stopOnSignals(system);

  const busName = requireOutput(system.outputs, 'EventBusName');
  const table = requireOutput(system.outputs, 'TableName');
  console.log(`EventBridge  ${system.endpoints.eventBridge}  PutEvents API, bus "${busName}"`);
  console.log(`DynamoDB     ${system.endpoints.dynamodb}  table "${table}"`);
  console.log(`SQS          ${system.endpoints.sqs}  send queue, DLQs, rejected events`);
  const ses = system.sesLimits.config;
  console.log(`SES          ${system.endpoints.ses}  web UI with every email sent; ${ses.maxSendRate}/s, ${ses.max24HourSend} a day${ses.sandbox ? ', sandbox' : ''}`);
  console.log(`IAM          ${system.iam.enforced ? "on: each function's SDK calls are checked against its role (NUDGE_IAM=off to turn off)" : 'off (NUDGE_IAM=off): no call is checked'}`);
  console.log(`Nudge is ready (${(system.startupMs / 1000).toFixed(1)} s). Put events with:`);
  console.log(
    `  aws events put-events --endpoint-url ${system.endpoints.eventBridge} --entries file://events/samples/subscribe.json`,
  );

  if (runDemo) await playDemo(system, busName, table);
  else console.log('Demo skipped (--no-demo). Ctrl-C stops everything.');
}

async function playDemo(system: LocalSystem, busName: string, tableName: string): Promise<void> {
  const lines = readScenario(DEMO_SCENARIO);
  console.log(`Demo: replaying ${lines.length} events of events/scenarios/demo.jsonl under the simulated clock ...`);
  const progress = progressPrinter(lines.length);
  const recipients = demoRecipients(system, busName, lines);
  // Recipients read what reached them before the clock moves on; what they do goes through the system too.
  const engage = async () => {
    if (await recipients.engage()) await system.waitForIdle(60_000);
  };
  const replay = await replayScenario({
    lines,
    eventBridgeEndpoint: system.endpoints.eventBridge,
    busName,
    clock: system.clock,
    waitForBus: () => system.bus.waitForIdle(),
    // A step due at 20:12 runs at 20:12, not at the next event's time hours later.
    runDueWorkBefore: async (at) => {
      await runDelayedWork(system, at.getTime(), { afterEachStep: engage });
      await engage();
    },
    onProgress: progress,
  });
  await system.waitForIdle(60_000);
  await engage();
  const flushed = await runDelayedWork(system, replay.endedAt.getTime() + DEMO_FOLLOW_UP_MS, { afterEachStep: engage });
  await engage();
  const awsConfig = { region: LOCAL_REGION, credentials: localCredentials };
  const dynamodb = new DynamoDBClient({ ...awsConfig, endpoint: system.endpoints.dynamodb });
  const sqs = new SQSClient({ ...awsConfig, endpoint: system.endpoints.sqs });
  try {
    const summary = await summarizeDemo({
      documentClient: DynamoDBDocumentClient.from(dynamodb, DOCUMENT_TRANSLATE_CONFIG),
      tableName,
      sqs,
      rejectedQueueUrl: requireOutput(system.outputs, 'RejectedEventsQueueUrl'),
      sesEndpoint: system.endpoints.ses,
    });
    const days = (replay.endedAt.getTime() - replay.firstEventAt.getTime()) / 86_400_000;
    console.log(`Demo done: ${replay.put} events over ${days.toFixed(1)} simulated days; ${summary.rejectedEvents} rejected as malformed (kept on the rejected-events queue).`);
    if (flushed > 0) console.log(`Followed the scheduled sends, timers and sequence steps due in the next ${DEMO_FOLLOW_UP_MS / 86_400_000} days (the clock is now ${system.clock.now().toISOString()}).`);
    const width = Math.max(0, ...Object.keys(summary.sendsByRule).map((rule) => rule.length));
    for (const [rule, statuses] of Object.entries(summary.sendsByRule).sort()) {
      // `sent` first, then the rest by name: the same order every run, whatever the scan met first.
      const order = (status: string) => (status === 'sent' ? '' : status);
      const parts = Object.entries(statuses)
        .sort(([a], [b]) => order(a).localeCompare(order(b)))
        .map(([status, count]) => `${count} ${status}`);
      const e = summary.engagementByRule[rule];
      const funnel = e ? `; ${e.delivered} delivered, ${e.opened} opened, ${e.clicked} clicked, ${e.converted} converted, ${e.revenue.toFixed(2)} revenue` : '';
      console.log(`  ${rule.padEnd(width)}  ${parts.join(', ')}${funnel}`);
    }
    const t = recipients.tally;
    console.log(
      `Recipients (seeded, through the pixel, the signed links and the bus): read ${t.opened} of ${t.emails} emails, clicked ${t.clicked}, bought ${t.purchases} times after a click, ${t.unsubscribed} unsubscribed${t.failures > 0 ? `; ${t.failures} link visits failed` : ''}.`,
    );
    console.log(`${summary.emailsInSesStore} emails are in the local SES store: open ${system.endpoints.ses} to read them (their Unsubscribe links work).`);
    console.log(`Lifecycle stages now: ${describeStages(system)}. Try: npx nudge profile cus_1001 --explain`);
    console.log('Ctrl-C stops everything.');
  } finally {
    dynamodb.destroy();
    sqs.destroy();
  }
}

/** The demo's recipients: addresses from the scenario's events, purchases put on the bus as the shop would. */
function demoRecipients(system: LocalSystem, busName: string, lines: ReturnType<typeof readScenario>): DemoRecipients {
  const customersByAddress = new Map<string, string>();
  for (const line of lines) {
    const detail = line.Detail as { customerId?: unknown; email?: unknown; properties?: { email?: unknown } };
    const address = typeof detail.properties?.email === 'string' ? detail.properties.email : typeof detail.email === 'string' ? detail.email : undefined;
    if (address && typeof detail.customerId === 'string') customersByAddress.set(address.toLowerCase(), detail.customerId);
  }
  const bus = new EventBridgeClient({ endpoint: system.endpoints.eventBridge, region: LOCAL_REGION, credentials: localCredentials });
  return new DemoRecipients({
    sesEndpoint: system.endpoints.ses,
    customersByAddress,
    seed: DEMO_SEED,
    now: () => system.clock.now(),
    putPurchase: async ({ customerId, orderId, amount, at }) => {
      const detail = { eventId: `${orderId}-purchase`, customerId, occurredAt: at.toISOString(), properties: { orderId, amount, currency: 'EUR' } };
      const response = await bus.send(new PutEventsCommand({ Entries: [{ Source: 'shop.web', DetailType: 'purchase', Detail: JSON.stringify(detail), EventBusName: busName, Time: at }] }));
      if ((response.FailedEntryCount ?? 0) > 0) console.warn(`warn: a demo purchase was refused: ${JSON.stringify(response.Entries)}`);
    },
  });
}

/** The demo's engagement seed: the same demo, the same opens, clicks and purchases. */
const DEMO_SEED = 20_261_102;

/** How far past the last event the demo follows work that was scheduled for later: long enough for the stage sequences (up to day 14). */
const DEMO_FOLLOW_UP_MS = 15 * 86_400_000;

/** Each customer's latest stage, from the LifecycleStageChanged events on the local bus. */
function describeStages(system: LocalSystem): string {
  const latest = new Map<string, string>();
  for (const event of system.bus.eventLog.query({ source: 'nudge', detailType: 'LifecycleStageChanged', limit: 10_000 })) {
    const detail = event.detail as { customerId: string; to: string | null };
    latest.set(detail.customerId, detail.to ?? 'no stage');
  }
  const counts = new Map<string, number>();
  for (const stage of latest.values()) counts.set(stage, (counts.get(stage) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([stage, count]) => `${count} ${stage}`).join(', ') || 'none';
}

function progressPrinter(total: number): (done: number) => void {
  let lastShown = 0;
  return (done) => {
    if (process.stdout.isTTY) {
      process.stdout.write(`\r  ${done}/${total} events`);
      if (done === total) process.stdout.write('\n');
    } else if (done === total || done - lastShown >= Math.ceil(total / 4)) {
      console.log(`  ${done}/${total} events`);
      lastShown = done;
    }
  };
}

function stopOnSignals(system: LocalSystem): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping Nudge ...`);
    system
      .stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        console.error(error);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`Nudge could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
