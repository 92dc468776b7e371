import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { IngestOutcome } from '#shared/services/ingest-event.ts';
import type { DispatchOutcome } from '#shared/services/dispatch-send.ts';

/**
 * Nudge's business metrics, as CloudWatch Embedded Metric Format lines through Powertools Metrics
 * (no PutMetricData call, no grant: CloudWatch Logs extracts them). The infra dashboard reads the
 * same names from here, so a renamed metric cannot leave a dashboard widget empty.
 */
export const METRICS_NAMESPACE = 'Nudge';
export const BUSINESS_METRICS = {
  /** Behavior events applied to a profile (duplicates not counted). */
  eventsIngested: 'EventsIngested',
  /** Malformed events recorded on the rejected-events queue. */
  eventsRejected: 'EventsRejected',
  /** Emails SES accepted, by rule (dimension `ruleId`). */
  sends: 'Sends',
  /** Sends that failed permanently, by rule (dimension `ruleId`; the reason is free text, in the logs and the ledger). */
  sendsFailed: 'SendsFailed',
  /** Sends put back on the queue for later: SES throttled them, the pacing had no slot, or SES refuses the account (held). Not failures. */
  sendsDeferred: 'SendsDeferred',
  /** Rule matches that did not send, by reason (dimension `reason`: cooldown, cap, quiet hours, ...). */
  suppressed: 'DecisionsSuppressed',
} as const;
/** The `service` dimension Powertools adds to every metric of a function (its Logger service name). */
export const METRICS_SERVICE = { ingest: 'nudge-ingest', dispatcher: 'nudge-dispatcher' } as const;

export function businessMetrics(service: string): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service });
}

/** Counts one ingest outcome: ingested or rejected, and each suppressed rule by its reason. */
export function countIngestOutcome(metrics: Metrics, outcome: IngestOutcome): void {
  if (outcome.type === 'rejected') metrics.addMetric(BUSINESS_METRICS.eventsRejected, MetricUnit.Count, 1);
  if (outcome.type !== 'applied') return;
  metrics.addMetric(BUSINESS_METRICS.eventsIngested, MetricUnit.Count, 1);
  for (const rule of outcome.rules) {
    if (rule.outcome !== 'suppressed') continue;
    const single = metrics.singleMetric();
    single.addDimension('reason', rule.reason ?? 'unknown');
    single.addMetric(BUSINESS_METRICS.suppressed, MetricUnit.Count, 1);
  }
}

/** Counts one dispatch outcome by its rule: sent, deferred (tried again later), or failed permanently (a redelivered send already done counts nothing). */
export function countDispatchOutcome(metrics: Metrics, ruleId: string, outcome: DispatchOutcome): void {
  if (outcome.type === 'skipped') return;
  const single = metrics.singleMetric();
  single.addDimension('ruleId', ruleId);
  const metric = { sent: BUSINESS_METRICS.sends, deferred: BUSINESS_METRICS.sendsDeferred, failed: BUSINESS_METRICS.sendsFailed }[outcome.type];
  single.addMetric(metric, MetricUnit.Count, 1);
}
