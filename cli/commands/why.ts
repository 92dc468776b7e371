import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DOCUMENT_TRANSLATE_CONFIG } from '#shared/adapters/dynamo/translate-config.ts';
import { DynamoDecisionLog } from '#shared/adapters/dynamo/decision-log-repository.ts';
import type { DecisionRecord } from '#shared/domain/decision-record.ts';
import type { TriggerPerformanceReport } from '#shared/domain/reports/trigger-performance.ts';
import { explainRulePerformance, rulePerformanceText } from '#shared/presentation/rule-performance-explanation.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { requireOutput } from '#local/stack/outputs.ts';
import { printResult } from '../format.ts';
import { callLocal, type LocalStatus } from '../local-control.ts';
import { invokeReport } from './report.ts';

/** `nudge why <customerId> [--rule <id>]`: every decision about the customer, newest first, with its reasons. */
export async function why(customerId: string, options: { json?: boolean; rule?: string; limit?: string }): Promise<void> {
  const status = await callLocal<LocalStatus>('status');
  const client = new DynamoDBClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: status.endpoints.dynamodb });
  try {
    const log = new DynamoDecisionLog(DynamoDBDocumentClient.from(client, DOCUMENT_TRANSLATE_CONFIG), requireOutput(status.outputs, 'TableName'));
    const decisions = await log.list(customerId, { ...(options.rule ? { ruleId: options.rule } : {}), limit: Number(options.limit ?? 50) });
    printResult({ customerId, decisions }, options, () => (decisions.length === 0 ? `no decisions recorded for ${customerId}${options.rule ? ` and rule ${options.rule}` : ''}` : decisions.map(describe).join('\n\n')));
  } finally {
    client.destroy();
  }
}

/**
 * `nudge why --rule-performance <id>`: how a rule or sequence step did over the last 30 days, read
 * from the trigger-performance report (its rollups): the funnel, its targets' verdicts and the biggest drop.
 */
export async function whyRulePerformance(id: string, options: { json?: boolean }): Promise<void> {
  const report = (await invokeReport('trigger-performance')) as TriggerPerformanceReport;
  const explanation = explainRulePerformance(report, id);
  printResult(explanation, options, () => rulePerformanceText(explanation));
}

function describe(decision: DecisionRecord): string {
  const headline = {
    queued: decision.sendAt
      ? `SENT (queued ${decision.sendId}, leaves ${decision.sendAt}: ${decision.reason?.replace('_', ' ') ?? 'scheduled'})`
      : `SENT (queued ${decision.sendId})`,
    holdout: `HELD OUT: ${decision.reason === 'global_control' ? 'global control group (no marketing email at all)' : 'control group'}, ${
      decision.sequenceId ? `would have started sequence ${decision.sequenceId}` : `would have sent ${decision.sendId}`
    }`,
    suppressed: `NOT SENT: ${decision.reason}${decision.until ? ` until ${decision.until}` : ''}`,
    dropped_priority: `NOT SENT: a higher-priority rule (${decision.wonBy}) won this event`,
    deferred: `DEFERRED: a higher-priority rule (${decision.wonBy}) won this event; decided again at ${decision.until}`,
    goal_met: `NOT SENT: the goal was met before the timer came due (${decision.reason?.replaceAll('_', ' ')})`,
    sequence_started: `STARTED sequence ${decision.sequenceId}`,
  }[decision.outcome];
  const via = decision.via && decision.via !== 'event' ? ` [via ${decision.via.replaceAll('_', ' ')}]` : '';
  return [
    `${decision.occurredAt}  ${decision.ruleId} (priority ${decision.priority}) on ${decision.eventType} ${decision.eventId}${via}`,
    `  ${headline}`,
    ...(decision.variantId ? [`  variant ${decision.variantId} of experiment ${decision.experimentId}${decision.variantBy === 'winner' ? ' (its recorded winner: all traffic)' : ''}`] : []),
    ...decision.conditions.map((c) => `    ${c.passed ? 'pass' : 'FAIL'}  ${c.field} ${c.op} ${JSON.stringify(c.expected)}  (actual: ${JSON.stringify(c.actual) ?? '-'})`),
  ].join('\n');
}
