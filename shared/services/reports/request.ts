import * as z from 'zod';
import { ATTRIBUTION_MODELS } from '../../domain/reports/attribution.ts';
import { MAX_REPORT_DAYS } from '../../domain/reports/period.ts';

/**
 * What a report Lambda accepts: `{}` for the defaults, or a window of days. Unknown fields are
 * refused, so a typo (`{"day": 7}`) is an error rather than a silently ignored option.
 */
export const PeriodRequest = z.object({ days: z.number().int().min(1).max(MAX_REPORT_DAYS).default(30) }).strict();
export const AttributionRequest = PeriodRequest.extend({ model: z.enum(ATTRIBUTION_MODELS).optional() }).strict();

/** Parses a report payload (null and undefined mean `{}`), naming every bad field in the error. */
export function parseReportRequest<T extends z.ZodType>(schema: T, payload: unknown): z.infer<T> {
  const parsed = schema.safeParse(payload ?? {});
  if (parsed.success) return parsed.data;
  throw new RangeError(`bad report request: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`).join('; ')}`);
}

/** The incrementality report: a period, and optionally the confidence (0.95) and the minimum exposures per group before a verdict (100). */
export const IncrementalityRequest = PeriodRequest.extend({ confidence: z.number().gt(0.5).lt(1).optional(), minExposures: z.number().int().min(2).optional() }).strict();
