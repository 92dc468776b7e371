import { IANAZone } from 'luxon';
import { z } from 'zod';
import { calculatedMetricOf, conditionsOf } from '../domain/conditions.ts';
import { EmailTemplate } from '../domain/email-template.ts';
import { METRIC_NAMES } from '../domain/profile-facts.ts';
import { LifecycleStage } from '../domain/lifecycle.ts';
import { BASE_DAILY_SERIES } from '../domain/profile.ts';
import { ScoringModel } from '../domain/scoring.ts';
import { SegmentDefinition, validateSegmentationCatalog } from '../domain/segments.ts';
import { TriggerRule } from '../domain/trigger-rules.ts';
import { CATALOG_EVENT_TYPES } from '../contract/index.ts';
import { lifecycleStages } from './lifecycle-stages.ts';
import { rules } from './rules.ts';
import { scoringModels } from './scoring-models.ts';
import { segments } from './segments.ts';
import { templates } from './templates.ts';

/**
 * The catalog: everything a user changes (rules, templates, and later segments, stages, sequences)
 * in one typed, validated place that both the CDK app and the handlers import.
 */
const Hour = z.number().int().min(0).max(23);

export const CatalogSettings = z
  .object({
    brandName: z.string().min(1),
    /** opt_in: marketing mail needs an explicit subscription (GDPR-safe default); opt_out: only an unsubscribe stops it. */
    consentMode: z.enum(['opt_in', 'opt_out']),
    /** A purchase of at least this amount puts a VipEscalation event on the bus. */
    highValuePurchase: z.number().positive(),
    /** Marketing emails per customer per sliding window, across all rules (transactional mail is exempt). */
    marketingCap: z.object({ count: z.number().int().positive().max(100), periodHours: z.number().positive() }).strict(),
    /** How long decision records (the audit trail behind `nudge why`) are kept. */
    decisionRetentionDays: z.number().int().positive().max(3650),
    /** A purchase this many hours after an open or click of a Nudge email is that email's conversion. */
    attributionWindowHours: z.number().positive().max(24 * 90),
    /** When emails leave: the preferred-hour default, business days, quiet hours (all local to the customer). */
    sendTime: z
      .object({
        defaultHour: Hour,
        minOpensToLearn: z.number().int().positive(),
        businessDaysOnly: z.boolean(),
        quietHours: z.object({ startHour: Hour, endHour: Hour }).strict(),
        defaultTimezone: z.string().refine((zone) => IANAZone.isValidZone(zone), 'must be an IANA time zone, e.g. Europe/Berlin'),
      })
      .strict(),
  })
  .strict();

export const Catalog = z
  .object({
    settings: CatalogSettings,
    rules: z.array(TriggerRule),
    templates: z.array(EmailTemplate),
    scoringModels: z.array(ScoringModel),
    segments: z.array(SegmentDefinition),
    lifecycleStages: z.array(LifecycleStage),
  })
  .superRefine((catalog, ctx) => {
    for (const problem of validateSegmentationCatalog(catalog)) ctx.addIssue({ code: 'custom', path: ['segmentation'], message: problem });
    const templateIds = new Set(catalog.templates.map((t) => t.id));
    reportDuplicates(catalog.rules.map((r) => r.id), ['rules'], 'rule', ctx);
    reportDuplicates(catalog.templates.map((t) => t.id), ['templates'], 'template', ctx);
    const metrics = new Set<string>([...METRIC_NAMES, ...catalog.scoringModels.map((model) => `${model.id}_score`)]);
    catalog.rules.forEach((rule, index) => {
      for (const { condition, path } of rule.conditions ? conditionsOf(rule.conditions) : []) {
        const metric = calculatedMetricOf(condition.field);
        if (metric !== undefined && !metrics.has(metric)) {
          ctx.addIssue({
            code: 'custom',
            path: ['rules', index, 'conditions', ...path, 'field'],
            message: `rule ${rule.id} reads calculated.${metric}, which is not a metric (known: ${[...metrics].sort().join(', ')})`,
          });
        }
      }
      if (!templateIds.has(rule.templateId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'templateId'],
          message: `rule ${rule.id} uses template "${rule.templateId}", which the catalog does not define`,
        });
      }
    });
  });
export type Catalog = z.infer<typeof Catalog>;
export type CatalogInput = z.input<typeof Catalog>;

function reportDuplicates(ids: string[], path: (string | number)[], what: string, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) ctx.addIssue({ code: 'custom', path, message: `duplicate ${what} id "${id}"` });
    seen.add(id);
  }
}

export class InvalidCatalogError extends Error {
  override name = 'InvalidCatalogError';
}

/** Validates a catalog; the message lists every problem with its path (e.g. rules.1.cooldownHours). */
export function loadCatalog(input: CatalogInput): Catalog {
  const parsed = Catalog.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `  - ${issue.path.join('.') || '(catalog)'}: ${issue.message}`);
  throw new InvalidCatalogError(`The catalog is invalid:\n${problems.join('\n')}`);
}

export const defaultCatalogInput: CatalogInput = {
  settings: {
    brandName: 'Nudge Demo Shop',
    consentMode: 'opt_in',
    highValuePurchase: 500,
    marketingCap: { count: 3, periodHours: 168 },
    decisionRetentionDays: 90,
    attributionWindowHours: 72,
    sendTime: { defaultHour: 10, minOpensToLearn: 3, businessDaysOnly: true, quietHours: { startHour: 21, endHour: 8 }, defaultTimezone: 'UTC' },
  },
  rules,
  templates,
  scoringModels,
  segments,
  lifecycleStages,
};

/** The shipped catalog, validated when first imported: a bad rule fails tests, synth and cold start. */
export const defaultCatalog: Catalog = loadCatalog(defaultCatalogInput);

/**
 * The daily series profiles keep: the built-in ones plus every event type the catalog's scores and
 * segments count over a window (custom types as `custom:<type>`). Bounded by the catalog.
 */
export function dailySeriesFor(catalog: Catalog): ReadonlySet<string> {
  const series = new Set(BASE_DAILY_SERIES);
  const catalogTypes: ReadonlySet<string> = new Set(CATALOG_EVENT_TYPES);
  const add = (eventType: string) => series.add(catalogTypes.has(eventType) ? eventType : `custom:${eventType}`);
  for (const model of catalog.scoringModels) {
    if (model.kind === 'behavior_weighted') model.weights.forEach((w) => add(w.eventType));
    if (model.kind === 'interaction_points') model.points.forEach((p) => add(p.eventType));
  }
  for (const segment of catalog.segments) {
    if (segment.kind === 'criteria') segment.criteria.forEach((c) => c.type === 'event_count' && add(c.eventType));
  }
  return series;
}

/** What the profile evaluation needs from the catalog. */
export function segmentationOf(catalog: Catalog) {
  return {
    scoringModels: catalog.scoringModels,
    segments: catalog.segments,
    lifecycleStages: catalog.lifecycleStages,
    highValuePurchase: catalog.settings.highValuePurchase,
  };
}
