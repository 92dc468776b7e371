import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { DynamoRollups } from '#shared/adapters/dynamo/rollup-repository.ts';
import { DAY_MS } from '#shared/domain/clock.ts';
import type { DriftReport } from '#shared/domain/reports/drift.ts';
import { segmentScope } from '#shared/domain/reports/rollups.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { nudgeClient } from './support/nudge-client.ts';

/**
 * The daily drift check on the running local system: email results of two segments are constructed
 * in their rollups (a thousand emails in each period, so the shared system's own few sends, each
 * delivered by the local SES, are noise), the check runs as its schedule would, and the drift report Lambda and the bus show what
 * it found.
 */
describe('the segment drift check', () => {
  const nudge = nudgeClient();
  const lambda = new LambdaClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: nudge.context.endpoints.eventBridge });
  const rollups = new DynamoRollups(nudge.documentClient, nudge.output('TableName'));
  const daysAgo = (now: Date, days: number) => new Date(now.getTime() - days * DAY_MS).toISOString().slice(0, 10);

  it('fires on a constructed shift (opens 25% → 10%, conversions 5% → 2%) and stays quiet on a stable segment', async () => {
    const now = await nudge.now();
    // The shipped periods (document 001's lengths): current = the last 30 days, baseline = the 90 days before them.
    await rollups.apply({
      increments: [
        { scope: segmentScope('feature_interest'), day: daysAgo(now, 60), counters: { delivered: 1000, opened: 250, converted: 50 } },
        { scope: segmentScope('feature_interest'), day: daysAgo(now, 2), counters: { delivered: 1000, opened: 100, converted: 20 } },
        { scope: segmentScope('engaged_readers'), day: daysAgo(now, 60), counters: { delivered: 1000, opened: 250, converted: 50 } },
        { scope: segmentScope('engaged_readers'), day: daysAgo(now, 2), counters: { delivered: 1000, opened: 242, converted: 48 } },
      ],
    });
    const run = await nudge.runSchedule('DriftCheck');
    expect(run, JSON.stringify(run)).toMatchObject({ ok: true });

    const result = await lambda.send(new InvokeCommand({ FunctionName: nudge.output('DriftReportFunctionName'), Payload: new TextEncoder().encode('{}') }));
    expect(result.FunctionError).toBeUndefined();
    const report = JSON.parse(new TextDecoder().decode(result.Payload)) as DriftReport;
    expect(Date.parse(report.generatedAt)).toBeGreaterThanOrEqual(now.getTime());
    const shifted = report.segments.find((s) => s.segmentId === 'feature_interest');
    expect(shifted, JSON.stringify(report).slice(0, 600)).toBeDefined();
    expect(shifted!.severity).toBe('critical');
    expect(shifted!.findings.map((f) => [f.metric, f.severity])).toEqual(expect.arrayContaining([['open_rate', 'high'], ['conversion_rate', 'critical']]));
    // About 25% -> 10%: the shared system's own sends to the segment (the local SES delivers each) move the rates a little.
    const [, from, to] = /open rate fell from ([\d.]+)% to ([\d.]+)%/.exec(shifted!.findings.find((f) => f.metric === 'open_rate')?.message ?? '') ?? [];
    expect(Number(from)).toBeGreaterThan(23);
    expect(Number(from)).toBeLessThan(26);
    expect(Number(to)).toBeGreaterThan(8.5);
    expect(Number(to)).toBeLessThan(10.5);
    const stable = report.segments.find((s) => s.segmentId === 'engaged_readers')!;
    expect(stable.findings.filter((f) => f.kind === 'performance')).toEqual([]);

    const events = await nudge.busEvents({ detailType: 'SegmentDriftDetected' });
    const event = events.find((e) => (e.detail as { segmentId?: string }).segmentId === 'feature_interest' && (e.detail as { currentDay?: string }).currentDay === now.toISOString().slice(0, 10));
    expect(event?.detail).toMatchObject({ severity: 'critical', transitionId: `segment-drift:feature_interest:${now.toISOString().slice(0, 10)}` });
    // Its composition may move with the shared system's customers; its email results did not, so they raise nothing.
    const today = now.toISOString().slice(0, 10);
    const stableEvent = events.find((e) => (e.detail as { segmentId?: string }).segmentId === 'engaged_readers' && (e.detail as { currentDay?: string }).currentDay === today);
    expect(((stableEvent?.detail as { findings?: Array<{ metric: string }> } | undefined)?.findings ?? []).map((f) => f.metric)).not.toContain('open_rate');
  });
});
