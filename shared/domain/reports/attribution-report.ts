import { ATTRIBUTION_MODELS, attribute, compareModels, DEFAULT_TIME_DECAY, roiSummary, summarizeModels, type AttributedCredit, type AttributionModel, type ModelComparisonRow, type ModelSummary, type RoiRow, type TimeDecay, type Touch } from './attribution.ts';
import { reportPeriod } from './period.ts';
import type { ConversionLogEntry } from './rollups.ts';
import { round2, round4 } from './numbers.ts';

/**
 * The attribution report: the conversions logged over a period, their credit re-divided over the
 * customers' touches under each of the five models, summed per campaign, with the ROI summary of
 * the chosen model. A campaign is a rule, or a whole sequence for its steps' emails (touches of one
 * campaign share one credit). Pure.
 */

export type AttributionReport = {
  report: 'attribution';
  generatedAt: string;
  period: { from: string; to: string; days: number };
  /** The lookback: how long before a conversion a touch counts (settings.attributionWindowHours). */
  windowHours: number;
  /** The curve the time-decay model weighed touches with. */
  timeDecay: TimeDecay;
  /** The model the ROI summary uses. */
  model: AttributionModel;
  /**
   * `withoutTouches`: conversions with no touch in the lookback (logged before the lookback changed,
   * or every touch after the purchase), credited to no campaign; `touches`: touches per conversion.
   */
  conversions: { count: number; revenue: number; withoutTouches: number; withoutTouchesShare: number | null; averageTouches: number | null };
  /** Each model's credited conversions, revenue and averages per conversion. */
  perModel: ModelSummary[];
  /** Every campaign credited by any model, the five side by side. */
  models: ModelComparisonRow[];
  roi: { costPerThousandSends: number; campaigns: RoiRow[]; totals: Omit<RoiRow, 'campaignId'> };
  /** The newest conversions (at most MAX_LISTED_CONVERSIONS) and each model's credits. */
  recent: Array<{ convertedAt: string; customerId: string; revenue: number; touches: number; credits: Record<AttributionModel, AttributedCredit[]> }>;
};

export const MAX_LISTED_CONVERSIONS = 50;
/** Document 000's default (`defaultAttribution: 'time_decay'`): recent emails earn most, none earns all. */
export const DEFAULT_ATTRIBUTION_MODEL: AttributionModel = 'time_decay';

/** A sequence step's email (`seq_<sequence>__<step>`) belongs to its sequence's campaign; a rule is its own. */
export function campaignOf(ruleId: string): string {
  const step = /^seq_(.+)__[^_].*$/.exec(ruleId);
  return step ? `seq_${step[1]}` : ruleId;
}

export function attributionReport(input: {
  conversions: readonly ConversionLogEntry[];
  /** Emails sent over the period per rule or step id (from the rollups). */
  sentByRule: ReadonlyMap<string, number>;
  windowHours: number;
  /** The catalog's `attributionTimeDecay`; {@link DEFAULT_TIME_DECAY} when not given. */
  timeDecay?: TimeDecay;
  costPerThousandSends: number;
  model?: AttributionModel;
  now: Date;
  days: number;
}): AttributionReport {
  const model = input.model ?? DEFAULT_ATTRIBUTION_MODEL;
  if (!ATTRIBUTION_MODELS.includes(model)) throw new RangeError(`model must be one of ${ATTRIBUTION_MODELS.join(', ')}, got ${JSON.stringify(model)}`);
  const { from, to } = reportPeriod(input.now, input.days);
  const conversions = input.conversions.filter((c) => c.day >= from && c.day <= to);
  const timeDecay = input.timeDecay ?? DEFAULT_TIME_DECAY;
  const options = { windowHours: input.windowHours, timeDecay };
  const asConversion = (entry: ConversionLogEntry) => ({ conversionId: entry.id, customerId: entry.customerId, at: entry.convertedAt, revenue: entry.revenue });
  // Each conversion carries its own touches, so the key is the conversion, not the customer (a customer's later purchase has other touches).
  const touches = new Map(conversions.map((entry) => [entry.id, touchesOf(entry)]));
  const keyed = conversions.map((entry) => ({ ...asConversion(entry), customerId: entry.id }));
  const models = compareModels(keyed, touches, options);
  const sendsByCampaign = new Map<string, number>();
  for (const [ruleId, sent] of input.sentByRule) sendsByCampaign.set(campaignOf(ruleId), (sendsByCampaign.get(campaignOf(ruleId)) ?? 0) + sent);
  const revenueByCampaign = new Map(models.map((row) => [row.campaignId, row.models[model].revenue]));
  const roi = roiSummary({ revenueByCampaign, sendsByCampaign, costPerThousandSends: input.costPerThousandSends });
  const withoutTouches = conversions.filter((c) => attribute(asConversion(c), touchesOf(c), 'linear', options).length === 0).length;
  const touchCount = conversions.reduce((sum, c) => sum + c.touches.length, 0);
  const newest = [...conversions].sort((a, b) => (a.convertedAt < b.convertedAt ? 1 : a.convertedAt > b.convertedAt ? -1 : 0)).slice(0, MAX_LISTED_CONVERSIONS);
  return {
    report: 'attribution',
    generatedAt: input.now.toISOString(),
    period: { from, to, days: input.days },
    windowHours: input.windowHours,
    timeDecay,
    model,
    conversions: {
      count: conversions.length,
      revenue: round2(conversions.reduce((sum, c) => sum + c.revenue, 0)),
      withoutTouches,
      withoutTouchesShare: conversions.length > 0 ? round4(withoutTouches / conversions.length) : null,
      averageTouches: conversions.length > 0 ? round4(touchCount / conversions.length) : null,
    },
    perModel: summarizeModels(keyed, touches, options).map((row) => ({
      model: row.model,
      conversions: row.conversions,
      revenue: round2(row.revenue),
      averageRevenue: row.averageRevenue === null ? null : round2(row.averageRevenue),
      averageTouches: row.averageTouches === null ? null : round4(row.averageTouches),
    })),
    models: models.map((row) => ({ campaignId: row.campaignId, models: roundModels(row.models) })),
    roi: { costPerThousandSends: input.costPerThousandSends, campaigns: roi.campaigns.map((row) => ({ campaignId: row.campaignId, ...roundRoi(row) })), totals: roundRoi(roi.totals) },
    recent: newest.map((entry) => ({
      convertedAt: entry.convertedAt,
      customerId: entry.customerId,
      revenue: entry.revenue,
      touches: entry.touches.length,
      credits: Object.fromEntries(
        ATTRIBUTION_MODELS.map((m) => [m, attribute(asConversion(entry), touchesOf(entry), m, options).map((c) => ({ ...c, credit: round4(c.credit), revenue: round2(c.revenue) }))]),
      ) as Record<AttributionModel, AttributedCredit[]>,
    })),
  };
}

/** A logged touch as the models read it; a touch without a rule (an email Nudge did not attribute) credits its send. */
function touchesOf(entry: ConversionLogEntry): Touch[] {
  return entry.touches.map((touch) => {
    const ruleId = touch.ruleId ?? touch.sendId;
    return { sendId: touch.sendId, ruleId, campaignId: campaignOf(ruleId), at: touch.at, kind: touch.kind };
  });
}

function roundModels(models: ModelComparisonRow['models']): ModelComparisonRow['models'] {
  return Object.fromEntries(Object.entries(models).map(([m, v]) => [m, { conversions: round4(v.conversions), revenue: round2(v.revenue) }])) as ModelComparisonRow['models'];
}

function roundRoi(row: Omit<RoiRow, 'campaignId'>): Omit<RoiRow, 'campaignId'> {
  return { sends: row.sends, revenue: round2(row.revenue), cost: round4(row.cost), roi: row.roi === null ? null : round4(row.roi) };
}
