import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { TriggerPerformanceReport, TriggerTotals } from '#shared/domain/reports/trigger-performance.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';
import { publishSesEvent } from './support/ses-events.ts';

/**
 * Reports on the running local system: a scripted stream goes through ingest, the decision path,
 * the sequences, the dispatcher, SES events and the tracking links; the table's stream feeds the
 * rollup Lambda; the report Lambda (invoked through the Lambda API, as `aws lambda invoke` would)
 * reads the rollups. The system is shared with other test files, so numbers are checked as the
 * difference the script made.
 */
describe('reports', () => {
  const nudge = nudgeClient();
  const lambda = new LambdaClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: nudge.context.endpoints.eventBridge });
  const defaultBus = new EventBridgeClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: nudge.context.endpoints.eventBridge });
  const put = async (customerId: string, type: string, properties: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => {
    await nudge.putEvents([{ detailType: type, detail: { eventId: uniqueId('r'), customerId, occurredAt: (await nudge.now()).toISOString(), properties, ...extra } }]);
    await nudge.waitForIdle();
  };
  const invoke = async (): Promise<TriggerPerformanceReport> => {
    const result = await lambda.send(new InvokeCommand({ FunctionName: nudge.output('TriggerPerformanceReportFunctionName'), Payload: new TextEncoder().encode('{}') }));
    expect(result.FunctionError).toBeUndefined();
    return JSON.parse(new TextDecoder().decode(result.Payload)) as TriggerPerformanceReport;
  };
  const row = (report: TriggerPerformanceReport, id: string) => report.rows.find((r) => r.id === id)!.allTime;
  const delta = (before: TriggerTotals, after: TriggerTotals) => ({
    matched: after.matched - before.matched,
    fired: after.fired - before.fired,
    sequencesStarted: after.sequencesStarted - before.sequencesStarted,
    suppressedNoConsent: after.suppressed.byReason.no_consent - before.suppressed.byReason.no_consent,
    sent: after.sent - before.sent,
    delivered: after.delivered - before.delivered,
    opened: after.opened - before.opened,
    converted: after.converted - before.converted,
    revenue: Math.round((after.revenue - before.revenue) * 100) / 100,
  });
  const sendOf = async (customerId: string) => {
    const { Items = [] } = await nudge.documentClient.send(
      new QueryCommand({ TableName: nudge.output('TableName'), KeyConditionExpression: 'pk = :pk AND begins_with(sk, :send)', ExpressionAttributeValues: { ':pk': `C#${customerId}`, ':send': 'SEND#' } }),
    );
    return Items.map((item) => ({ sendId: String(item.sendId), ruleId: String(item.ruleId) }));
  };

  it('trigger performance counts what a scripted stream did, per rule and sequence step', async () => {
    await nudge.daytime();
    const before = await invoke();
    const [ana, ben, cleo] = [uniqueId('rep'), uniqueId('rep'), uniqueId('rep')];
    // Two subscribers: the welcome rule fires twice and starts the welcome series, whose first step sends twice.
    for (const customerId of [ana, ben]) await put(customerId, 'subscribe', { firstName: 'Ana' }, { email: `${customerId}@example.com` });
    // Ana's welcome is delivered, opened (the pixel) and converts: a purchase of 89.50 two hours later.
    const [anaSend] = await sendOf(ana);
    expect(anaSend?.ruleId).toBe('seq_welcome_series__hello');
    await publishSesEvent(nudge, defaultBus, { customerId: ana, email: `${ana}@example.com`, sendId: anaSend!.sendId, ruleId: anaSend!.ruleId }, 'Delivery', 'Email Delivered', {
      delivery: { timestamp: (await nudge.now()).toISOString(), recipients: [`${ana}@example.com`], smtpResponse: '250 ok', processingTimeMillis: 300 },
    });
    const [welcome] = await nudge.emailsTo(`${ana}@example.com`);
    await fetch(/<img src="([^"]+\/o\/[^"]+)"/.exec(welcome!.body.html ?? '')![1]!);
    await nudge.waitForIdle();
    await nudge.advanceClock('2h');
    await put(ana, 'purchase', { orderId: uniqueId('order'), amount: 89.5, currency: 'EUR' });
    // Cleo has no consent: her cart abandonment is matched and suppressed.
    await put(cleo, 'identify', { email: `${cleo}@example.com` });
    await put(cleo, 'cart_abandon', { cartValue: 120 });

    const after = await invoke();
    expect(delta(row(before, 'welcome_new_subscriber'), row(after, 'welcome_new_subscriber'))).toMatchObject({ matched: 2, fired: 2, sequencesStarted: 2, sent: 0 });
    expect(delta(row(before, 'seq_welcome_series__hello'), row(after, 'seq_welcome_series__hello'))).toEqual({
      matched: 2,
      fired: 2,
      sequencesStarted: 0,
      suppressedNoConsent: 0,
      sent: 2,
      delivered: 1,
      opened: 1,
      converted: 1,
      revenue: 89.5,
    });
    expect(delta(row(before, 'cart_abandonment_1hour'), row(after, 'cart_abandonment_1hour'))).toMatchObject({ matched: 1, fired: 0, suppressedNoConsent: 1 });
    expect(after.rows.map((r) => r.id)).toEqual(before.rows.map((r) => r.id));
  });

  it('nudge report trigger-performance prints the same JSON the Lambda returns, and a table for people', async () => {
    const cli = async (...args: string[]) =>
      (await promisify(execFile)(process.execPath, [join(process.cwd(), 'bin/nudge.js'), ...args], { env: { ...process.env, NUDGE_EVENTBRIDGE_PORT: new URL(nudge.context.endpoints.eventBridge).port } })).stdout;
    const fromCli = JSON.parse(await cli('report', 'trigger-performance', '--json')) as TriggerPerformanceReport;
    const fromLambda = await invoke();
    expect({ ...fromCli, generatedAt: '' }).toEqual({ ...fromLambda, generatedAt: '' });
    const table = await cli('report', 'trigger-performance');
    expect(table).toMatch(/^trigger performance, last 30 days \(\d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}\) and all time/);
    expect(table).toMatch(/\nseq_welcome_series__hello +\d+ +\d+/);
    await expect(cli('report', 'no-such-report')).rejects.toThrow(/unknown report "no-such-report"; reports: trigger-performance/);
  });
});
