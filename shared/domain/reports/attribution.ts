import { DAY_MS, HOUR_MS } from '../clock.ts';
import { compareIds } from './numbers.ts';

/**
 * Which emails earned a conversion. Document 000 records a touchpoint per campaign email sent and
 * credits every touchpoint within a 30-day lookback; so a touch here is an email's arrival (`send`)
 * or the customer opening or clicking it. Ingest records each purchase against the newest touch
 * (last touch, see conversions.ts); the reports re-divide the credit over every touch within the
 * lookback under five models, so users can see how much their answer to "what does my automation
 * earn?" depends on the model. Pure.
 */

/** An email's arrival, or an open or click of it. */
export type Touch = {
  sendId: string;
  ruleId: string;
  /** The rule or sequence the email belongs to: touches of one campaign share one credit. */
  campaignId: string;
  at: string;
  kind: 'send' | 'open' | 'click';
};

export type Conversion = { conversionId: string; customerId: string; at: string; revenue: number };

export const ATTRIBUTION_MODELS = ['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based'] as const;
export type AttributionModel = (typeof ATTRIBUTION_MODELS)[number];

export type AttributionOptions = {
  /**
   * The lookback: how long before a conversion a touch still counts. Required: pass the catalog's
   * `attributionWindowHours` (720, document 000's 30 days), so the reports and the recorded
   * last-touch conversions agree.
   */
  windowHours: number;
  /** Time decay's curve; {@link DEFAULT_TIME_DECAY} when not given. */
  timeDecay?: TimeDecay;
};

/**
 * How time decay weighs a touch `age` before the conversion. `half_life`: 2^(−age/days), a touch
 * `days` older weighs half. `exponential`: e^(−age/days), document 000's formula, which calls its 7
 * days a half-life though the weight halves every 7·ln 2 ≈ 4.85 days.
 */
export type TimeDecay = { curve: 'half_life' | 'exponential'; days: number };
export const TIME_DECAY_CURVES = ['half_life', 'exponential'] as const;
/** A true 7-day half-life: the number means what its name says (docs/decisions.md section 10). */
export const DEFAULT_TIME_DECAY: TimeDecay = { curve: 'half_life', days: 7 };

export type AttributedCredit = {
  campaignId: string;
  ruleId: string;
  /** The campaign's share of the conversion, 0..1; the shares of one conversion sum to 1. */
  credit: number;
  /** credit × the conversion's revenue */
  revenue: number;
};

export type CampaignAttribution = {
  campaignId: string;
  /** Conversions credited to the campaign: fractional under the multi-touch models. */
  conversions: number;
  revenue: number;
};

export type ModelComparisonRow = { campaignId: string; models: Record<AttributionModel, { conversions: number; revenue: number }> };

/** Position based: what the first and the last touch each get when there are three or more. */
const POSITION_END_SHARE = 0.4;

/**
 * How much a touch speaks for its email where a model weighs touches (time decay, and the middle
 * of position based): an open doubles a bare arrival and a click doubles an open. A doubling is one
 * half-life of the default curve, so an opened email weighs like a bare one that arrived 7 days
 * later. Linear, first and last touch are the documents' positional rules and do not weigh.
 */
export const TOUCH_STRENGTH: Record<Touch['kind'], number> = { send: 1, open: 2, click: 4 };

/**
 * Divides one conversion among the campaigns whose emails the customer touched within the window
 * before it (a touch at the conversion's own instant counts; later ones do not, as in
 * conversions.ts). Returns campaigns in touch order, oldest first, leaving out those a model gives
 * no credit (first and last touch); [] when nothing was touched.
 */
export function attribute(conversion: Conversion, touches: readonly Touch[], model: AttributionModel, options: AttributionOptions): AttributedCredit[] {
  const convertedAt = parseTime(conversion.at, `conversion ${conversion.conversionId}`);
  if (!Number.isFinite(conversion.revenue)) throw new RangeError(`conversion ${conversion.conversionId}: revenue must be finite, got ${conversion.revenue}`);
  const campaignTouches = latestTouchPerCampaign(touchesInWindow(convertedAt, touches, windowMsOf(options)));
  const credits = creditsFor(model, campaignTouches, convertedAt, decayWeightOf(options));
  return campaignTouches.flatMap((touch, index) => {
    const credit = credits[index]!;
    return credit > 0 ? [{ campaignId: touch.campaignId, ruleId: touch.ruleId, credit, revenue: credit * conversion.revenue }] : [];
  });
}

/**
 * Sums the attribution of many conversions per campaign, highest revenue first (then by campaign
 * id). Conversions without touches in the window (customers absent from `touchesByCustomer`
 * included) credit nobody.
 */
export function attributeAll(
  conversions: readonly Conversion[],
  touchesByCustomer: ReadonlyMap<string, readonly Touch[]>,
  model: AttributionModel,
  options: AttributionOptions,
): CampaignAttribution[] {
  const totals = new Map<string, CampaignAttribution>();
  for (const conversion of conversions) {
    for (const { campaignId, credit, revenue } of attribute(conversion, touchesByCustomer.get(conversion.customerId) ?? [], model, options)) {
      const total = totals.get(campaignId) ?? { campaignId, conversions: 0, revenue: 0 };
      total.conversions += credit;
      total.revenue += revenue;
      totals.set(campaignId, total);
    }
  }
  return [...totals.values()].sort((a, b) => b.revenue - a.revenue || compareIds(a.campaignId, b.campaignId));
}

/**
 * All five models side by side, one row per campaign credited by any of them (zeros where a model
 * gives none). Rows follow last-touch revenue, the model of the recorded conversions, so the table
 * opens with the numbers users already know.
 */
export function compareModels(
  conversions: readonly Conversion[],
  touchesByCustomer: ReadonlyMap<string, readonly Touch[]>,
  options: AttributionOptions,
): ModelComparisonRow[] {
  const rows = new Map<string, ModelComparisonRow>();
  for (const model of ATTRIBUTION_MODELS) {
    for (const { campaignId, conversions: credited, revenue } of attributeAll(conversions, touchesByCustomer, model, options)) {
      const row = rows.get(campaignId) ?? { campaignId, models: emptyModels() };
      row.models[model] = { conversions: credited, revenue };
      rows.set(campaignId, row);
    }
  }
  return [...rows.values()].sort((a, b) => b.models.last_touch.revenue - a.models.last_touch.revenue || compareIds(a.campaignId, b.campaignId));
}

/** One model over all conversions: document 000's averages per conversion (getTriggerRuleAttribution), for the whole period. */
export type ModelSummary = {
  model: AttributionModel;
  /** Conversions the model credited to any campaign (those with a touch in the lookback). */
  conversions: number;
  revenue: number;
  /** Credited revenue per credited conversion; null without any. */
  averageRevenue: number | null;
  /** Campaigns the model gives a share, per credited conversion (1 for first and last touch); null without any. */
  averageTouches: number | null;
};

/**
 * Each model's credited conversions, revenue and averages per conversion. Since every model divides
 * a touched conversion whole, conversions and revenue agree across models (a check); what differs
 * is how many campaigns share each conversion.
 */
export function summarizeModels(conversions: readonly Conversion[], touchesByCustomer: ReadonlyMap<string, readonly Touch[]>, options: AttributionOptions): ModelSummary[] {
  return ATTRIBUTION_MODELS.map((model) => {
    let credited = 0;
    let revenue = 0;
    let shares = 0;
    for (const conversion of conversions) {
      const credits = attribute(conversion, touchesByCustomer.get(conversion.customerId) ?? [], model, options);
      if (credits.length === 0) continue;
      credited += 1;
      shares += credits.length;
      revenue += credits.reduce((sum, credit) => sum + credit.revenue, 0);
    }
    return { model, conversions: credited, revenue, averageRevenue: credited > 0 ? revenue / credited : null, averageTouches: credited > 0 ? shares / credited : null };
  });
}

export type RoiRow = { campaignId: string; sends: number; revenue: number; cost: number; /** (revenue − cost) / cost; null when cost is 0. */ roi: number | null };

/**
 * Return on the sending cost per campaign and in total: cost = sends / 1000 × the cost per
 * thousand sends. Campaigns in either map are listed (sends without revenue have ROI −1; revenue
 * without sends has no cost and no ROI), highest revenue first.
 */
export function roiSummary(input: {
  revenueByCampaign: ReadonlyMap<string, number>;
  sendsByCampaign: ReadonlyMap<string, number>;
  costPerThousandSends: number;
}): { campaigns: RoiRow[]; totals: Omit<RoiRow, 'campaignId'> } {
  const { revenueByCampaign, sendsByCampaign, costPerThousandSends } = input;
  if (!(Number.isFinite(costPerThousandSends) && costPerThousandSends >= 0)) throw new RangeError(`costPerThousandSends must be finite and non-negative, got ${costPerThousandSends}`);
  const campaignIds = new Set([...revenueByCampaign.keys(), ...sendsByCampaign.keys()]);
  const campaigns = [...campaignIds]
    .map((campaignId) => {
      const sends = sendsByCampaign.get(campaignId) ?? 0;
      if (!(Number.isFinite(sends) && sends >= 0)) throw new RangeError(`sends of ${campaignId} must be finite and non-negative, got ${sends}`);
      return { campaignId, ...roiOf(sends, revenueByCampaign.get(campaignId) ?? 0, costPerThousandSends) };
    })
    .sort((a, b) => b.revenue - a.revenue || compareIds(a.campaignId, b.campaignId));
  const sends = campaigns.reduce((sum, row) => sum + row.sends, 0);
  const revenue = campaigns.reduce((sum, row) => sum + row.revenue, 0);
  return { campaigns, totals: roiOf(sends, revenue, costPerThousandSends) };
}

function roiOf(sends: number, revenue: number, costPerThousandSends: number): Omit<RoiRow, 'campaignId'> {
  const cost = (sends / 1000) * costPerThousandSends;
  return { sends, revenue, cost, roi: cost > 0 ? (revenue - cost) / cost : null };
}

// --- the models ----------------------------------------------------------------------------------

/** Each touch's share under a model; the touches are in time order, oldest first. */
function creditsFor(model: AttributionModel, touches: readonly Touch[], convertedAt: number, decayWeight: (ageMs: number) => number): number[] {
  const n = touches.length;
  if (n === 0) return [];
  switch (model) {
    case 'first_touch':
      return touches.map((_, index) => (index === 0 ? 1 : 0));
    case 'last_touch':
      return touches.map((_, index) => (index === n - 1 ? 1 : 0));
    case 'linear':
      return touches.map(() => 1 / n);
    case 'time_decay':
      return normalise(touches.map((touch) => TOUCH_STRENGTH[touch.kind] * decayWeight(convertedAt - Date.parse(touch.at))));
    case 'position_based':
      return positionBased(touches);
  }
}

/**
 * 40% to the first and the last touch, the other 20% split among the middle ones by their
 * strength (an opened or clicked email in the middle outweighs a bare arrival); two touches split
 * 50/50, one takes all.
 */
function positionBased(touches: readonly Touch[]): number[] {
  const n = touches.length;
  if (n === 1) return [1];
  if (n === 2) return [0.5, 0.5];
  const middle = touches.slice(1, -1).reduce((sum, touch) => sum + TOUCH_STRENGTH[touch.kind], 0);
  const middleShare = 1 - 2 * POSITION_END_SHARE;
  return touches.map((touch, index) => (index === 0 || index === n - 1 ? POSITION_END_SHARE : (middleShare * TOUCH_STRENGTH[touch.kind]) / middle));
}

function normalise(weights: readonly number[]): number[] {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return weights.map((weight) => weight / total);
}

// --- touches -------------------------------------------------------------------------------------

function touchesInWindow(convertedAt: number, touches: readonly Touch[], windowMs: number): Touch[] {
  return touches.filter((touch) => {
    const elapsed = convertedAt - parseTime(touch.at, `touch of send ${touch.sendId}`);
    return elapsed >= 0 && elapsed <= windowMs;
  });
}

/**
 * One touch per campaign, so a campaign that sent two emails is not credited twice. The campaign's
 * latest touch stands for it: the one nearest the conversion, which is the one last-touch credits.
 * (So a campaign's place in first-touch and position-based order is that of its latest touch.) An
 * email's open or click comes after its arrival, so an engaged email is represented by its
 * engagement; a newer bare email of the same campaign replaces an older open. At the same instant
 * a click beats an open, which beats an arrival. Returned oldest first.
 */
function latestTouchPerCampaign(touches: readonly Touch[]): Touch[] {
  const latest = new Map<string, Touch>();
  for (const touch of touches) {
    const kept = latest.get(touch.campaignId);
    if (!kept || compareTouches(touch, kept) > 0) latest.set(touch.campaignId, touch);
  }
  return [...latest.values()].sort(compareTouches);
}

/** Time order; ties broken by kind (arrival, open, click), then ids, so results never depend on input order. */
function compareTouches(a: Touch, b: Touch): number {
  return (
    Date.parse(a.at) - Date.parse(b.at) ||
    TOUCH_STRENGTH[a.kind] - TOUCH_STRENGTH[b.kind] ||
    compareIds(a.campaignId, b.campaignId) ||
    compareIds(a.sendId, b.sendId)
  );
}


// --- inputs --------------------------------------------------------------------------------------

function parseTime(value: string, what: string): number {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new RangeError(`${what}: unreadable time ${JSON.stringify(value)}`);
  return ms;
}

function windowMsOf(options: AttributionOptions): number {
  if (!(Number.isFinite(options.windowHours) && options.windowHours > 0)) throw new RangeError(`windowHours must be a positive number, got ${options.windowHours}`);
  return options.windowHours * HOUR_MS;
}

function decayWeightOf(options: AttributionOptions): (ageMs: number) => number {
  const { curve, days } = options.timeDecay ?? DEFAULT_TIME_DECAY;
  if (!(Number.isFinite(days) && days > 0)) throw new RangeError(`timeDecay.days must be a positive number, got ${days}`);
  if (!TIME_DECAY_CURVES.includes(curve)) throw new RangeError(`timeDecay.curve must be one of ${TIME_DECAY_CURVES.join(', ')}, got ${JSON.stringify(curve)}`);
  const scaleMs = days * DAY_MS;
  return curve === 'half_life' ? (ageMs) => 2 ** (-ageMs / scaleMs) : (ageMs) => Math.exp(-ageMs / scaleMs);
}

function emptyModels(): ModelComparisonRow['models'] {
  const zero = () => ({ conversions: 0, revenue: 0 });
  return { first_touch: zero(), last_touch: zero(), linear: zero(), time_decay: zero(), position_based: zero() };
}
