import * as z from 'zod';

/**
 * The outcomes Nudge attributes to a send, so a rule can name them as its success (document 000's
 * success_metrics: email_open, click, purchase_complete): an open (the pixel), a click (the signed
 * links), a purchase (the attribution window). Others (app_session, profile_complete, ...) are not
 * tied to a send, so a report could not count them for the rule.
 */
export const SuccessMetric = z.enum(['email_open', 'email_click', 'purchase']);
export type SuccessMetric = z.infer<typeof SuccessMetric>;

/**
 * A success metric as a rule or sequence step declares it: the metric alone (`'purchase'`), or with a
 * target (`{ metric: 'purchase', target: 0.02 }`), a rate per delivered email from 0 to 1 that the
 * reports judge the metric against. Parsed to the object form. The target's range is checked by the
 * rule's or sequence's own refinement (`successMetricIssues`), so the message can name its owner.
 */
export const SuccessMetricSpec = z.union([
  SuccessMetric.transform((metric): { metric: SuccessMetric; target?: number | undefined } => ({ metric })),
  z.object({ metric: SuccessMetric, target: z.number().optional() }).strict(),
]);
export type SuccessMetricSpec = z.infer<typeof SuccessMetricSpec>;
export type SuccessMetricSpecInput = z.input<typeof SuccessMetricSpec>;

/** `successMetrics` of a rule or a sequence step. */
export const SuccessMetrics = z.array(SuccessMetricSpec).default([]);

/** Either form to the object form: what code that builds descriptions by hand may pass. */
export function successMetricSpec(spec: SuccessMetric | SuccessMetricSpec): SuccessMetricSpec {
  return typeof spec === 'string' ? { metric: spec } : spec;
}

/**
 * What is wrong with a parsed `successMetrics` list, each with its path under the owner and a message
 * naming the owner (`rule cart_abandonment_1hour`, `step reminder of sequence cart_recovery`): a target
 * outside 0..1, or a metric named twice (the report would show two verdicts for one rate).
 */
export function successMetricIssues(specs: readonly SuccessMetricSpec[], owner: string): Array<{ path: Array<string | number>; message: string }> {
  const issues: Array<{ path: Array<string | number>; message: string }> = [];
  const seen = new Set<SuccessMetric>();
  specs.forEach((spec, index) => {
    if (spec.target !== undefined && !(spec.target >= 0 && spec.target <= 1)) {
      issues.push({
        path: ['successMetrics', index, 'target'],
        message: `${owner}: successMetrics[${index}] (${spec.metric}) target ${spec.target} must be a rate per delivered email from 0 to 1 (0.02 is 2 %)`,
      });
    }
    if (seen.has(spec.metric)) issues.push({ path: ['successMetrics', index, 'metric'], message: `${owner} names success metric ${spec.metric} twice` });
    seen.add(spec.metric);
  });
  return issues;
}
