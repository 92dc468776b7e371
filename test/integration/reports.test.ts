import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { AttributionReport } from '#shared/domain/reports/attribution-report.ts';
import type { BehaviorPatternsReport } from '#shared/domain/reports/behavior-patterns.ts';
import type { SegmentExperimentReport } from '#shared/domain/reports/segment-experiment.ts';
import type { SegmentOptimizerReport } from '#shared/domain/reports/segment-optimizer.ts';
import type { SegmentGroupTotals, SegmentPerformanceReport } from '#shared/domain/reports/segment-performance.ts';
import type { TriggerPerformanceReport, TriggerTotals } from '#shared/domain/reports/trigger-performance.ts';
import type { RulePerformanceExplanation } from '#shared/presentation/rule-performance-explanation.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';

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
  const put = async (customerId: string, type: string, properties: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => {
    await nudge.putEvents([{ detailType: type, detail: { eventId: uniqueId('r'), customerId, occurredAt: (await nudge.now()).toISOString(), properties, ...extra } }]);
    await nudge.waitForIdle();
  };
  const invokeReport = async <T,>(output: string, payload: unknown = {}): Promise<T> => {
    const result = await lambda.send(new InvokeCommand({ FunctionName: nudge.output(output), Payload: new TextEncoder().encode(JSON.stringify(payload)) }));
    const answer = JSON.parse(new TextDecoder().decode(result.Payload)) as T;
    expect(result.FunctionError, JSON.stringify(answer)).toBeUndefined();
    return answer;
  };
  const invoke = () => invokeReport<TriggerPerformanceReport>('TriggerPerformanceReportFunctionName');
  /** Every report fed by the script, read at once. */
  const allReports = async () => ({
    triggers: await invoke(),
    segments: await invokeReport<SegmentPerformanceReport>('SegmentPerformanceReportFunctionName'),
    attribution: await invokeReport<AttributionReport>('AttributionReportFunctionName'),
    behavior: await invokeReport<BehaviorPatternsReport>('BehaviorPatternsReportFunctionName'),
    optimizer: await invokeReport<SegmentOptimizerReport>('SegmentOptimizerReportFunctionName'),
  });
  const segmentDelta = (before: SegmentGroupTotals, after: SegmentGroupTotals) => ({
    delivered: after.delivered - before.delivered,
    opened: after.opened - before.opened,
    converted: after.converted - before.converted,
    unsubscribed: after.unsubscribed - before.unsubscribed,
    revenue: Math.round((after.revenue - before.revenue) * 100) / 100,
  });
  const segmentRow = (report: SegmentPerformanceReport, id: string) => report.rows.find((r) => r.segmentId === id)!.segment;
  const behaviorCount = (report: BehaviorPatternsReport, type: string) => report.behaviors.find((b) => b.type === type)?.count ?? 0;
  const campaign = (report: AttributionReport, id: string) => report.models.find((r) => r.campaignId === id)?.models;
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
    return Items.map((item) => ({ sendId: String(item.sendId), ruleId: String(item.ruleId), segments: (item.segments ?? []) as string[] }));
  };

  it('trigger performance counts what a scripted stream did, per rule and sequence step', async () => {
    await nudge.daytime();
    const reportsBefore = await allReports();
    const before = reportsBefore.triggers;
    const [ana, ben, cleo] = [uniqueId('rep'), uniqueId('rep'), uniqueId('rep')];
    // Two subscribers: the welcome rule fires twice and starts the welcome series, whose first step sends twice.
    for (const customerId of [ana, ben]) await put(customerId, 'subscribe', { firstName: 'Ana' }, { email: `${customerId}@example.com` });
    // Both welcomes are delivered (the local SES publishes SES's Delivery events, as SES does);
    // Ana's is opened (the pixel) and converts: a purchase of 89.50 two hours later.
    const [anaSend] = await sendOf(ana);
    expect(anaSend?.ruleId).toBe('seq_welcome_series__hello');
    const [welcome] = await nudge.emailsTo(`${ana}@example.com`);
    await fetch(/<img src="([^"]+\/o\/[^"]+)"/.exec(welcome!.body.html ?? '')![1]!);
    await nudge.waitForIdle();
    await nudge.advanceClock('2h');
    await put(ana, 'purchase', { orderId: uniqueId('order'), amount: 89.5, currency: 'EUR' });
    // Cleo has no consent: her cart abandonment is matched and suppressed.
    await put(cleo, 'identify', { email: `${cleo}@example.com` });
    await put(cleo, 'cart_abandon', { cartValue: 120 });
    // Ben unsubscribes with his welcome email's own link (the confirmation page's button posts).
    const [benWelcome] = await nudge.emailsTo(`${ben}@example.com`);
    const unsubscribe = /<a href="([^"]+\/u\/[^"]+)"[^>]*>Unsubscribe<\/a>/.exec(benWelcome!.body.html ?? '')![1]!;
    expect((await fetch(unsubscribe, { method: 'POST' })).status).toBe(200);
    await nudge.waitForIdle();

    const reportsAfter = await allReports();
    const after = reportsAfter.triggers;
    expect(delta(row(before, 'welcome_new_subscriber'), row(after, 'welcome_new_subscriber'))).toMatchObject({ matched: 2, fired: 2, sequencesStarted: 2, sent: 0 });
    expect(delta(row(before, 'seq_welcome_series__hello'), row(after, 'seq_welcome_series__hello'))).toEqual({
      matched: 2,
      fired: 2,
      sequencesStarted: 0,
      suppressedNoConsent: 0,
      sent: 2,
      delivered: 2,
      opened: 1,
      converted: 1,
      revenue: 89.5,
    });
    expect(delta(row(before, 'cart_abandonment_1hour'), row(after, 'cart_abandonment_1hour'))).toMatchObject({ matched: 1, fired: 0, suppressedNoConsent: 1 });
    expect(after.rows.map((r) => r.id)).toEqual(before.rows.map((r) => r.id));

    // Segment performance: Ana's delivered, opened, converting email counts for every segment she was in as it left, and for
    // all sends; Ben's delivery and unsubscribe for his.
    const [benSend] = await sendOf(ben);
    expect(segmentDelta(reportsBefore.segments.all, reportsAfter.segments.all)).toEqual({ delivered: 2, opened: 1, converted: 1, unsubscribed: 1, revenue: 89.5 });
    for (const segment of anaSend!.segments) {
      expect(segmentDelta(segmentRow(reportsBefore.segments, segment), segmentRow(reportsAfter.segments, segment)), segment).toEqual({
        delivered: benSend!.segments.includes(segment) ? 2 : 1,
        opened: 1,
        converted: 1,
        unsubscribed: benSend!.segments.includes(segment) ? 1 : 0,
        revenue: 89.5,
      });
    }
    // Attribution: one conversion whose only touch is the welcome series' email, opened: all five models give it the 89.50.
    expect(reportsAfter.attribution.conversions.count - reportsBefore.attribution.conversions.count).toBe(1);
    const welcomeBefore = campaign(reportsBefore.attribution, 'seq_welcome_series');
    const welcomeAfter = campaign(reportsAfter.attribution, 'seq_welcome_series')!;
    for (const model of ['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based'] as const) {
      expect(Math.round((welcomeAfter[model].revenue - (welcomeBefore?.[model].revenue ?? 0)) * 100) / 100, model).toBe(89.5);
    }
    expect(reportsAfter.attribution.recent.find((c) => c.customerId === ana)).toMatchObject({ revenue: 89.5, touches: 1 });
    // Time decay by default (document 000), and each model's credited conversions counted per conversion.
    expect(reportsAfter.attribution.model).toBe('time_decay');
    const credited = (report: typeof reportsAfter.attribution) => report.perModel.find((row) => row.model === 'time_decay')!.conversions;
    expect(credited(reportsAfter.attribution) - credited(reportsBefore.attribution)).toBe(1);
    // Behavior patterns: the events of the script, counted from the profiles' changes.
    for (const [type, count] of [['subscribe', 2], ['purchase', 1], ['identify', 1], ['cart_abandon', 1], ['email_open', 1]] as const) {
      expect(behaviorCount(reportsAfter.behavior, type) - behaviorCount(reportsBefore.behavior, type), type).toBe(count);
    }
    // The segment optimizer counts three more people.
    expect(reportsAfter.optimizer.totalUsers - reportsBefore.optimizer.totalUsers).toBe(3);
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
    await expect(cli('report', 'no-such-report')).rejects.toThrow(/unknown report "no-such-report"; reports: trigger-performance, segment-performance, attribution/);
    await expect(cli('report', 'segment-optimizer', '--days', '7')).rejects.toThrow(/report segment-optimizer takes no --days/);
    await expect(cli('report', 'attribution', '--model', 'u_shaped')).rejects.toThrow(/bad report request: model: /);
    // Incrementality's confidence and minimum sample from the command line; the Lambda's request schema judges them.
    const incrementality = JSON.parse(await cli('report', 'incrementality', '--days', '14', '--confidence', '0.9', '--min-exposures', '250', '--json')) as { confidence: number; minExposuresPerGroup: number; period: { days: number } };
    expect(incrementality).toMatchObject({ confidence: 0.9, minExposuresPerGroup: 250, period: { days: 14 } });
    await expect(cli('report', 'incrementality', '--confidence', '1.5')).rejects.toThrow(/bad report request: confidence: /);
    await expect(cli('report', 'attribution', '--min-exposures', '5')).rejects.toThrow(/report attribution takes no --min-exposures/);

    // nudge why --rule-performance: the step's funnel and metrics are the report's row, in words.
    const explained = JSON.parse(await cli('why', '--rule-performance', 'seq_welcome_series__hello', '--json')) as RulePerformanceExplanation;
    const hello = fromLambda.rows.find((r) => r.id === 'seq_welcome_series__hello')!;
    expect(explained.funnel).toEqual((['matched', 'fired', 'sent', 'delivered', 'opened', 'clicked', 'converted'] as const).map((stage) => ({ stage, count: hello.last30Days[stage] })));
    expect(explained.success).toEqual(hello.success);
    // The shipped cart rule starts cart_recovery, whose steps carry targets (catalog sequences.ts).
    const cart = await cli('why', '--rule-performance', 'cart_abandonment_1hour');
    expect(cart).toMatch(/^cart_abandonment_1hour \(rule\): /);
    expect(cart).toContain("its emails are sequence cart_recovery's steps:");
    expect(cart).toMatch(/\n  seq_cart_recovery__reminder:\n    email_open: [^\n]*target 40%: (pass|fail|insufficient data)/);
    await expect(cli('why', '--rule-performance', 'no_such_rule')).rejects.toThrow(/no rule or sequence step "no_such_rule" in the catalog; known: /);
  });

  it('the segment experiment reads every profile (the same count the live statistics keep from the stream); --html writes a page with charts', async () => {
    const cli = async (...args: string[]) =>
      (await promisify(execFile)(process.execPath, [join(process.cwd(), 'bin/nudge.js'), ...args], { env: { ...process.env, NUDGE_EVENTBRIDGE_PORT: new URL(nudge.context.endpoints.eventBridge).port } })).stdout;
    const experiment = JSON.parse(await cli('report', 'segment-experiment', '--experiment', 'events/experiments/engaged-threshold.json', '--json')) as SegmentExperimentReport;
    const optimizer = await invokeReport<SegmentOptimizerReport>('SegmentOptimizerReportFunctionName');
    expect(experiment).toMatchObject({ report: 'segment-experiment', name: 'engaged at 5 opens instead of 10' });
    expect(experiment.profilesScanned).toBe(optimizer.totalUsers);
    // Every profile with 10 opens has at least 5: the variant contains the control.
    expect(experiment.overlap.members).toBe(experiment.groups.control.members);
    await expect(cli('report', 'segment-experiment')).rejects.toThrow(/needs --experiment <file>/);

    const page = join(await mkdtemp(join(tmpdir(), 'nudge-report-')), 'attribution.html');
    expect(await cli('report', 'attribution', '--html', page)).toContain(`wrote ${page}`);
    const html = await readFile(page, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/i);
    expect(html).toContain('data-chart="bars"');
  });
});
