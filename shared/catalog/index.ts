import { IANAZone } from 'luxon';
import * as z from 'zod';
import { calculatedMetricOf, conditionsOf, type ConditionGroup } from '../domain/conditions.ts';
import { EmailTemplate } from '../domain/email-template.ts';
import { DEFAULT_TIME_DECAY, TIME_DECAY_CURVES } from '../domain/reports/attribution.ts';
import { METRIC_NAMES } from '../domain/profile-facts.ts';
import { LifecycleStage } from '../domain/lifecycle.ts';
import { BASE_DAILY_SERIES, BASE_WEEKLY_SERIES } from '../domain/profile.ts';
import { RING_DAYS, type WeeklySeries } from '../domain/activity-ring.ts';
import { ScoringModel } from '../domain/scoring.ts';
import { SegmentDefinition, segmentIdsOf, validateSegmentationCatalog } from '../domain/segments.ts';
import { Sequence } from '../domain/sequences.ts';
import { SubscriptionCategory } from '../domain/subscription-categories.ts';
import { TriggerRule, type Experiment } from '../domain/trigger-rules.ts';
import { incrementalityWindowProblems } from '../domain/exposures.ts';
import { CATALOG_EVENT_TYPES } from '../contract/index.ts';
import { lifecycleStages } from './lifecycle-stages.ts';
import { rules } from './rules.ts';
import { scoringModels } from './scoring-models.ts';
import { segments } from './segments.ts';
import { sequences } from './sequences.ts';
import { subscriptionCategories } from './subscription-categories.ts';
import { templates } from './templates.ts';
import { readCatalogOverride } from './catalog-override.ts';

/**
 * The catalog: everything a user changes (rules, templates, and later segments, stages, sequences)
 * in one typed, validated place that both the CDK app and the handlers import.
 */
const Hour = z.number().int().min(0).max(23);

export const CatalogSettings = z
  .object({
    brandName: z.string().min(1),
    /** The shop's address: every email's call to action links there (through the signed click endpoint). Optional: without it the call to action is plain text. */
    shopUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** A purchase of at least this amount puts a VipEscalation event on the bus. */
    highValuePurchase: z.number().positive(),
    /**
     * Document 001's notify_account_manager: each VipEscalation is mailed (staff mail, from the
     * dispatcher's sender) to this address. Optional: without it no notifier function is deployed.
     * SES must accept it: verify it (or its domain) while the account is in the SES sandbox.
     */
    accountManagerEmail: z.email().optional(),
    /** Marketing emails per customer per sliding window, across all rules (transactional mail is exempt). */
    marketingCap: z.object({ count: z.number().int().positive().max(100), periodHours: z.number().positive() }).strict(),
    /** How long decision records (the audit trail behind `nudge why`) are kept (DynamoDB TTL). */
    decisionRetentionDays: z.number().int().positive().max(3650),
    /** How long send records (status, opens, clicks) and the conversions they earned are kept after the decision (DynamoDB TTL). */
    sendRetentionDays: z.number().int().positive().max(3650),
    /** How long the bus archive keeps raw events for replay. Finite on purpose: raw events hold personal data. */
    eventArchiveRetentionDays: z.number().int().positive().max(3650),
    /**
     * The attribution lookback in hours (document 000's `lookbackWindow`, 30 days): every Nudge email
     * sent, opened or clicked this long before a purchase is one of its touches; the newest converts.
     */
    attributionWindowHours: z
      .number({ error: 'must be a number of hours (720 = 30 days)' })
      .positive({ error: 'must be a positive number of hours (720 = 30 days)' })
      .max(24 * 90, { error: 'must be at most 2160 hours (90 days)' }),
    /**
     * Incrementality: a decision's exposure (sent, or held out) converts when the customer buys within
     * this many hours of it (a rule's `conversionWindowHours` overrides it). 7 days by default; it must
     * fit in the decision retention, since the purchase marks the decision record.
     */
    incrementalityWindowHours: z.number().positive().max(24 * 90).default(168),
    /** The time-decay attribution model's curve: a true half-life, or document 000's e^(−age/days) (shared/domain/reports/attribution.ts). */
    attributionTimeDecay: z.object({ curve: z.enum(TIME_DECAY_CURVES), days: z.number().positive().max(365) }).strict(),
    /**
     * Share of customers (0-20 %) in the global control group: no marketing email from any rule or
     * sequence (transactional mail still goes), so the incrementality report can measure everything
     * against them. 0 turns it off. Membership is a stable hash of the customer id.
     */
    globalControlPercent: z.number().min(0).max(20).default(0),
    /** What 1,000 emails cost to send (SES's list price is 0.10 USD), for the attribution report's ROI. */
    costPerThousandSends: z.number().nonnegative(),
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
    /** Predictive scoring: when a customer counts as churned, and the churn-risk thresholds. */
    predictive: z
      .object({
        /** No activity for this many days after a cutoff is churn (the label the model learns). */
        churnWindowDays: z.number().int().min(7).max(365),
        /** Crossing this churn probability upwards puts ChurnRiskChanged on the bus (predictive rules react). */
        churnEventThreshold: z.number().gt(0).lt(1),
        /** Churn-risk segments: high at or above `high`, medium at or above `medium`, else low. */
        churnSegments: z.object({ high: z.number().gt(0).lt(1), medium: z.number().gt(0).lt(1) }).strict(),
        /** Purchase intent is the probability of a purchase within this many days. */
        purchaseWindowDays: z.number().int().min(7).max(90),
        /** Crossing this purchase intent upwards puts PurchaseIntentChanged on the bus. */
        purchaseIntentEventThreshold: z.number().gt(0).lt(1),
        /** Predicted value is the revenue expected in the next this many days. */
        valueHorizonDays: z.number().int().min(30).max(365),
        /** Value potential: high at or above this percentile of the population's predicted value, medium at or above `medium`. */
        valuePercentiles: z.object({ high: z.number().gt(0).lt(100), medium: z.number().gt(0).lt(100) }).strict(),
        /** Next purchase: imminent within `imminentDays`, near term within `nearTermDays`, else long-term nurture. */
        nextPurchaseDays: z.object({ imminent: z.number().int().positive(), nearTerm: z.number().int().positive() }).strict(),
        /** A content category is an interest at or above this score (0..1). */
        interestThreshold: z.number().gt(0).lt(1),
      })
      .strict()
      .refine((p) => p.churnSegments.medium < p.churnSegments.high, 'churnSegments.medium must be below churnSegments.high')
      .refine((p) => p.valuePercentiles.medium < p.valuePercentiles.high, 'valuePercentiles.medium must be below valuePercentiles.high')
      .refine((p) => p.nextPurchaseDays.imminent < p.nextPurchaseDays.nearTerm, 'nextPurchaseDays.imminent must be below nextPurchaseDays.nearTerm'),
    /** The daily drift check's periods (see driftPeriods in domain/reports/drift.ts). */
    drift: z
      .object({
        /** Recent email results: the last this many days, today included. */
        currentDays: z.number().int().min(1).max(90),
        /** Compared with this many days (before the current period, or ending today when baselineIncludesCurrent); the composition snapshot is this old. */
        baselineDays: z.number().int().min(7).max(365),
        baselineIncludesCurrent: z.boolean(),
      })
      .strict()
      .refine((d) => d.currentDays < d.baselineDays, 'drift.currentDays must be below drift.baselineDays'),
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
    sequences: z.array(Sequence),
    /** Consent is kept and checked per category; each rule and sequence names one (subscription-categories.ts). */
    subscriptionCategories: z.array(SubscriptionCategory).min(1),
  })
  .superRefine((catalog, ctx) => {
    for (const problem of incrementalityWindowProblems(catalog)) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
    for (const problem of validateSegmentationCatalog(catalog)) ctx.addIssue({ code: 'custom', path: ['segmentation'], message: problem });
    const templateIds = new Set(catalog.templates.map((t) => t.id));
    reportDuplicates(catalog.rules.map((r) => r.id), ['rules'], 'rule', ctx);
    reportDuplicates(catalog.templates.map((t) => t.id), ['templates'], 'template', ctx);
    const metrics = new Set<string>([...METRIC_NAMES, ...catalog.scoringModels.map((model) => `${model.id}_score`)]);
    const checkMetrics = (conditions: ConditionGroup | undefined, at: (string | number)[], who: string): void => {
      for (const { condition, path } of conditions ? conditionsOf(conditions) : []) {
        const metric = calculatedMetricOf(condition.field);
        if (metric !== undefined && !metrics.has(metric)) {
          ctx.addIssue({
            code: 'custom',
            path: [...at, ...path, 'field'],
            message: `${who} reads calculated.${metric}, which is not a metric (known: ${[...metrics].sort().join(', ')})`,
          });
        }
      }
    };
    catalog.rules.forEach((rule, index) => {
      checkMetrics(rule.conditions, ['rules', index, 'conditions'], `rule ${rule.id}`);
      if (rule.startSequence !== undefined && !catalog.sequences.some((sequence) => sequence.id === rule.startSequence)) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'startSequence'],
          message: `rule ${rule.id} starts sequence "${rule.startSequence}", which the catalog does not define`,
        });
      }
      if (rule.trigger.type === 'segment') {
        const known = new Set(catalog.segments.flatMap(segmentIdsOf));
        rule.trigger.segmentIds?.forEach((segmentId, at) => {
          if (!known.has(segmentId)) {
            ctx.addIssue({ code: 'custom', path: ['rules', index, 'trigger', 'segmentIds', at], message: `rule ${rule.id} triggers on segment "${segmentId}", which the catalog does not define` });
          }
        });
      }
      checkExperimentTemplates(rule.experiment, ['rules', index, 'experiment'], `rule ${rule.id}`, templateIds, ctx);
      if (rule.templateId !== undefined && !templateIds.has(rule.templateId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'templateId'],
          message: `rule ${rule.id} uses template "${rule.templateId}", which the catalog does not define`,
        });
      }
    });
    validateSequences(catalog, templateIds, checkMetrics, ctx);
    validateCategories(catalog, ctx);
    // The touches are read from the send records: a lookback past their retention would silently find none.
    if (catalog.settings.attributionWindowHours > catalog.settings.sendRetentionDays * 24) {
      ctx.addIssue({
        code: 'custom',
        path: ['settings', 'attributionWindowHours'],
        message: `the attribution lookback (${catalog.settings.attributionWindowHours} hours) is longer than the send records are kept (sendRetentionDays ${catalog.settings.sendRetentionDays})`,
      });
    }
  });
export type Catalog = z.infer<typeof Catalog>;
export type CatalogInput = z.input<typeof Catalog>;

/**
 * The sequences' cross-references: unique ids, every step's template, every stage's nurture
 * sequences, the segments and stages they start on or exit with, and the metrics their conditions read.
 */
function validateSequences(
  catalog: { sequences: readonly Sequence[]; lifecycleStages: readonly LifecycleStage[]; segments: readonly SegmentDefinition[] },
  templateIds: ReadonlySet<string>,
  checkMetrics: (conditions: ConditionGroup | undefined, at: (string | number)[], who: string) => void,
  ctx: z.RefinementCtx,
): void {
  reportDuplicates(catalog.sequences.map((s) => s.id), ['sequences'], 'sequence', ctx);
  const sequenceIds = new Set(catalog.sequences.map((s) => s.id));
  const stageIds = new Set(catalog.lifecycleStages.map((stage) => stage.id));
  const segmentIds = new Set(catalog.segments.flatMap(segmentIdsOf));
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });

  catalog.lifecycleStages.forEach((stage, stageIndex) => {
    stage.nurtureSequences.forEach((id, index) => {
      const sequence = catalog.sequences.find((s) => s.id === id);
      if (!sequence) {
        issue(['lifecycleStages', stageIndex, 'nurtureSequences', index], `lifecycle stage ${stage.id} names nurture sequence "${id}", which the catalog does not define`);
      } else if (sequence.startOn !== undefined && sequence.startOn.lifecycleStage !== stage.id) {
        // What starts a sequence is said once, on the sequence (startOn) or by a rule (startSequence); the stage's list must not contradict it.
        issue(
          ['lifecycleStages', stageIndex, 'nurtureSequences', index],
          `lifecycle stage ${stage.id} names nurture sequence "${id}", which starts on ${sequence.startOn.lifecycleStage ? `stage ${sequence.startOn.lifecycleStage}` : `segment ${sequence.startOn.segmentEntered}`}`,
        );
      }
    });
  });
  catalog.sequences.forEach((sequence, index) => {
    const at = ['sequences', index];
    sequence.steps.forEach((step, stepIndex) => {
      if (!templateIds.has(step.templateId)) {
        issue([...at, 'steps', stepIndex, 'templateId'], `step ${step.id} of sequence ${sequence.id} uses template "${step.templateId}", which the catalog does not define`);
      }
      checkMetrics(step.conditions, [...at, 'steps', stepIndex, 'conditions'], `step ${step.id} of sequence ${sequence.id}`);
      checkExperimentTemplates(step.experiment, [...at, 'steps', stepIndex, 'experiment'], `step ${step.id} of sequence ${sequence.id}`, templateIds, ctx);
    });
    sequence.exitGoals.forEach((goal, goalIndex) => {
      if (goal.type === 'segment_exited' && !segmentIds.has(goal.segmentId)) {
        issue([...at, 'exitGoals', goalIndex, 'segmentId'], `sequence ${sequence.id} exits on leaving segment "${goal.segmentId}", which the catalog does not define`);
      }
      if (goal.type === 'condition') checkMetrics(goal.conditions, [...at, 'exitGoals', goalIndex, 'conditions'], `an exit goal of sequence ${sequence.id}`);
    });
    const { lifecycleStage, segmentEntered } = sequence.startOn ?? {};
    if (lifecycleStage !== undefined && !stageIds.has(lifecycleStage)) {
      issue([...at, 'startOn', 'lifecycleStage'], `sequence ${sequence.id} starts on lifecycle stage "${lifecycleStage}", which the catalog does not define`);
    }
    if (segmentEntered !== undefined && !segmentIds.has(segmentEntered)) {
      issue([...at, 'startOn', 'segmentEntered'], `sequence ${sequence.id} starts on entering segment "${segmentEntered}", which the catalog does not define`);
    }
  });
}

/** Every rule and sequence sends under a category the catalog defines (consent is kept per category). */
function validateCategories(
  catalog: { rules: readonly TriggerRule[]; sequences: readonly Sequence[]; subscriptionCategories: readonly SubscriptionCategory[] },
  ctx: z.RefinementCtx,
): void {
  reportDuplicates(catalog.subscriptionCategories.map((c) => c.id), ['subscriptionCategories'], 'subscription category', ctx);
  const known = new Set(catalog.subscriptionCategories.map((c) => c.id));
  const list = [...known].join(', ');
  const check = (category: string, path: (string | number)[], who: string) => {
    if (!known.has(category)) ctx.addIssue({ code: 'custom', path, message: `${who} sends under category "${category}", which is not a subscription category (known: ${list})` });
  };
  catalog.rules.forEach((rule, index) => check(rule.category, ['rules', index, 'category'], `rule ${rule.id}`));
  catalog.sequences.forEach((sequence, index) => check(sequence.category, ['sequences', index, 'category'], `sequence ${sequence.id}`));
}

/** Every template an experiment's variants send exists. */
function checkExperimentTemplates(experiment: Experiment | undefined, at: (string | number)[], who: string, templateIds: ReadonlySet<string>, ctx: z.RefinementCtx): void {
  experiment?.variants.forEach((variant, index) => {
    if (variant.templateId !== undefined && !templateIds.has(variant.templateId)) {
      ctx.addIssue({
        code: 'custom',
        path: [...at, 'variants', index, 'templateId'],
        message: `${who}: variant ${variant.id} of experiment ${experiment.id} uses template "${variant.templateId}", which the catalog does not define`,
      });
    }
  });
}

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
  // Parsed once per process (at a cold start): zod's compiled fast path would cost more to build than it saves.
  const parsed = Catalog.safeParse(input, { jitless: true });
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `  - ${issue.path.join('.') || '(catalog)'}: ${issue.message}`);
  throw new InvalidCatalogError(`The catalog is invalid:\n${problems.join('\n')}`);
}

export const defaultCatalogInput: CatalogInput = {
  settings: {
    brandName: 'Nudge Demo Shop',
    shopUrl: 'https://shop.example.com/',
    highValuePurchase: 500,
    accountManagerEmail: 'account-manager@shop.example.com',
    marketingCap: { count: 3, periodHours: 168 },
    decisionRetentionDays: 90,
    // 13 months: a year-over-year comparison of a send's month still finds it.
    sendRetentionDays: 395,
    eventArchiveRetentionDays: 365,
    // Document 000's lookbackWindow: 30 days.
    attributionWindowHours: 720,
    // A true 7-day half-life; `{ curve: 'exponential', days: 7 }` is document 000's formula (decisions 10).
    attributionTimeDecay: { ...DEFAULT_TIME_DECAY },
    costPerThousandSends: 0.1,
    sendTime: { defaultHour: 10, minOpensToLearn: 3, businessDaysOnly: true, quietHours: { startHour: 21, endHour: 8 }, defaultTimezone: 'UTC' },
    // The source's churn thresholds: high risk at 0.8, medium at 0.5; predictive rules hear of crossings of 0.7.
    // Purchase intent fires at 0.8; value potential at the 75th/50th percentile; next purchase
    // imminent within 7 days, near term within 30; content interests from 0.7.
    predictive: {
      churnWindowDays: 30,
      churnEventThreshold: 0.7,
      churnSegments: { high: 0.8, medium: 0.5 },
      purchaseWindowDays: 30,
      // Document 003: the purchase optimisation acts above 0.8 (its trigger), so the model announces crossings
      // of 0.8; at the table's 0.75 a customer announced at 0.78 would never be announced again when rising past 0.8.
      purchaseIntentEventThreshold: 0.8,
      valueHorizonDays: 90,
      valuePercentiles: { high: 75, medium: 50 },
      nextPurchaseDays: { imminent: 7, nearTerm: 30 },
      interestThreshold: 0.7,
    },
    // Document 001's lengths (30 days against 90); the baseline is the 90 days before the current
    // 30, not the last 90 including them (the document's reading): see driftPeriods for why.
    drift: { currentDays: 30, baselineDays: 90, baselineIncludesCurrent: false },
  },
  rules,
  templates,
  scoringModels,
  segments,
  lifecycleStages,
  sequences,
  subscriptionCategories,
};

/**
 * The catalog in force, validated when first imported (a bad rule fails tests, synth and cold
 * start): the shipped one, or the file NUDGE_CATALOG names for a local backtest (catalog-override.ts).
 */
export const defaultCatalog: Catalog = loadCatalog((readCatalogOverride() as CatalogInput | undefined) ?? defaultCatalogInput);

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

/**
 * The daily series that also keep weeks (activity-ring.ts), with the longest window reading each:
 * those the catalog reads over more than the daily ring's 30 days, besides the built-in ones. Only
 * these pay for weeks, and only as far back as their longest window, so the profile's size stays
 * bounded by the catalog.
 */
export function weeklySeriesFor(catalog: Catalog): WeeklySeries {
  const series = new Map(BASE_WEEKLY_SERIES);
  const catalogTypes: ReadonlySet<string> = new Set(CATALOG_EVENT_TYPES);
  const add = (eventType: string, windowDays: number) => {
    const key = catalogTypes.has(eventType) ? eventType : `custom:${eventType}`;
    if (windowDays > RING_DAYS) series.set(key, Math.max(windowDays, series.get(key) ?? 0));
  };
  for (const model of catalog.scoringModels) {
    if (model.kind === 'behavior_weighted') model.weights.forEach((w) => add(w.eventType, model.windowDays));
    if (model.kind === 'interaction_points') model.points.forEach((p) => add(p.eventType, model.windowDays));
  }
  for (const segment of catalog.segments) {
    if (segment.kind === 'criteria') segment.criteria.forEach((c) => c.type === 'event_count' && add(c.eventType, c.windowDays));
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
