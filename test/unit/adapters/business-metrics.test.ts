import type { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, it } from 'vitest';
import { BUSINESS_METRICS, countDispatchOutcome } from '#shared/adapters/metrics/business-metrics.ts';
import type { DispatchOutcome } from '#shared/services/dispatch-send.ts';

/** A plain fake of the part of Powertools Metrics the counter uses: what it would emit, by rule. */
function recordingMetrics() {
  const emitted: Array<{ name: string; ruleId: string | undefined }> = [];
  const metrics = {
    singleMetric: () => {
      const dimensions: Record<string, string> = {};
      return {
        addDimension: (name: string, value: string) => void (dimensions[name] = value),
        addMetric: (name: string) => void emitted.push({ name, ruleId: dimensions.ruleId }),
      };
    },
  } as unknown as Metrics;
  return { metrics, emitted };
}

describe('business metrics of the dispatcher', () => {
  // Every outcome kind the dispatcher returns: a new kind must be placed here (and in the counter) on purpose.
  const outcomes: Array<[DispatchOutcome, string | undefined]> = [
    [{ type: 'sent', sendId: 's', messageId: 'm' }, BUSINESS_METRICS.sends],
    [{ type: 'failed', sendId: 's', reason: 'rejected' }, BUSINESS_METRICS.sendsFailed],
    // Throttled or held sends go back on the queue: not failures, or the SendsFailed alarm would cry wolf in the sandbox.
    [{ type: 'deferred', sendId: 's', reason: 'throttled', delaySeconds: 2 }, BUSINESS_METRICS.sendsDeferred],
    [{ type: 'skipped', sendId: 's', reason: 'already_sent' }, undefined],
    [{ type: 'skipped', sendId: 's', reason: 'customer_erased' }, undefined],
  ];

  it.each(outcomes)('counts %j as %s, by rule', (outcome, metric) => {
    const { metrics, emitted } = recordingMetrics();
    countDispatchOutcome(metrics, 'cart_recovery', outcome);
    expect(emitted).toEqual(metric ? [{ name: metric, ruleId: 'cart_recovery' }] : []);
  });
});
