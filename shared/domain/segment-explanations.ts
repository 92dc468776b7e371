import type { Channel, MetricCondition, SegmentCriterion, SegmentDefinition } from './segments.ts';

/**
 * Why a customer is in a segment, in words they can read on the preference center ("You left a
 * cart in the last 24 hours"), built from the catalog's own segment definitions so the page never
 * drifts from what decides membership. Known metrics have a sentence; any other one falls back to
 * a plain "<metric in words>: at least N", which is still honest about the rule.
 */
export type SegmentExplanation = { segmentId: string; title: string; reasons: string[] };

const AT: Record<MetricCondition['op'], string> = { '>=': 'at least', '<=': 'at most', '>': 'more than', '<': 'less than', '==': 'exactly', '!=': 'not' };

/** Sentences for the metrics the shipped segments read: `n` is the threshold. */
const METRIC_SENTENCES: Record<string, (op: string, n: string) => string> = {
  cart_abandonment_24h: (op, n) => (n === '1' && op === 'at least' ? 'You left items in your cart in the last 24 hours' : `You left a cart ${op} ${n} times in the last 24 hours`),
  pricing_page_visits: (op, n) => `You looked at our prices ${op} ${n} times`,
  product_page_time: (op, n) => `You spent ${op} ${minutes(n)} on product pages`,
  email_opens_30d: (op, n) => `You opened ${op} ${n} of our emails in the last 30 days`,
  click_rate_30d: (op, n) => `You clicked ${op} ${percent(n)} of our emails in the last 30 days`,
  days_since_last_click: (op, n) => `You clicked a link in one of our emails in the last ${n} days`,
  days_since_last_open: (op, n) => `You have not opened our emails for ${op} ${n} days`,
  days_since_last_activity: (op, n) => (op === 'at most' ? `You were active in the last ${n} days` : `You have not been active for ${op} ${n} days`),
  days_since_signup: (op, n) => `Your account is ${op} ${n} days old`,
  purchase_count: (op, n) => (op === 'exactly' ? `You ordered exactly ${n} ${n === '1' ? 'time' : 'times'}` : `You ordered ${op} ${n} times`),
  lifetime_value: (op, n) => `Your orders add up to ${op} ${n}`,
  feature_page_visits: (op, n) => `You read about our features ${op} ${n} times`,
  documentation_reads: (op, n) => `You read our documentation ${op} ${n} times`,
  referrals_total: (op, n) => `You recommended us to ${op} ${n} ${n === '1' ? 'person' : 'people'}`,
  customer_lifetime_months: (op, n) => `You have been a customer for ${op} ${n} months`,
  engagement_score: (op, n) => `Your engagement with our emails and site is ${op} ${percent(n)}`,
  full_days_since_last_activity: (op, n) => (op === 'at most' ? `You were active in the last ${n} days` : `You have not been active for ${op} ${n} days`),
  support_tickets_total: (op, n) => (op === 'more than' && n === '0' ? 'You asked our support team for help' : `You contacted our support ${op} ${n} times`),
  support_satisfaction_5: (op, n) => `You rated our support ${op} ${n} out of 5`,
  last_nps_score: (op, n) => `You rated us ${op} ${n} out of 10 when asked whether you would recommend us`,
  churn_risk_segment: (_op, n) => `Our prediction of whether you will stay with us puts you at ${words(n)} risk of leaving`,
  value_potential_segment: (_op, n) => `Our prediction puts your expected orders with us among the ${words(n)} group`,
  next_purchase_segment: (_op, n) => `Our prediction of your next order: ${NEXT_PURCHASE_PHRASES[n] ?? words(n)}`,
};

const NEXT_PURCHASE_PHRASES: Record<string, string> = {
  imminent: 'within about a week',
  near_term: 'within about a month',
  long_term_nurture: 'not in the coming month',
};

export function explainSegments(memberOf: readonly string[], definitions: readonly SegmentDefinition[]): SegmentExplanation[] {
  return memberOf.map((segmentId) => explainSegment(segmentId, definitions));
}

export function explainSegment(segmentId: string, definitions: readonly SegmentDefinition[]): SegmentExplanation {
  const title = words(segmentId).replace(/^./, (c) => c.toUpperCase());
  for (const definition of definitions) {
    if (definition.kind === 'behavioral' && definition.id === segmentId) {
      return { segmentId, title, reasons: definition.conditions.map(explainCondition) };
    }
    if (definition.kind === 'criteria' && definition.id === segmentId) {
      return { segmentId, title, reasons: definition.criteria.map(explainCriterion) };
    }
    if (definition.kind === 'family') {
      const index = definition.bands.findIndex((band) => band.segment === segmentId);
      if (index < 0) continue;
      const band = definition.bands[index]!;
      const reasons = [
        ...(band.min !== undefined && definition.metric ? [explainCondition({ metric: definition.metric, op: '>=', value: band.min })] : []),
        ...(band.max !== undefined && definition.metric ? [explainCondition({ metric: definition.metric, op: '<=', value: band.max })] : []),
        ...(band.when ?? []).map(explainCondition),
      ];
      if (reasons.length === 0) reasons.push(catchAllReason(definition, index));
      return { segmentId, title, reasons };
    }
  }
  // Segments outside the catalog's definitions (model-derived risk bands, say) still get a line.
  return { segmentId, title, reasons: ['Our predictions put you in this group, based on your recent activity'] };
}

const NEGATED: Partial<Record<MetricCondition['op'], MetricCondition['op']>> = { '>=': '<', '>': '<=', '<=': '>', '<': '>=' };

/**
 * The catch-all band holds when no earlier band did. Bands are ordered by threshold, so failing the
 * one just before (a single ordered comparison) is the whole story: "at most 30 days old". Otherwise
 * the band's own description, or the list of groups that did not fit.
 */
function catchAllReason(family: Extract<SegmentDefinition, { kind: 'family' }>, index: number): string {
  const band = family.bands[index]!;
  if (band.description) return band.description;
  const previous = family.bands[index - 1];
  const conditions = previous
    ? [
        ...(previous.min !== undefined && family.metric ? [{ metric: family.metric, op: '>=' as const, value: previous.min }] : []),
        ...(previous.max !== undefined && family.metric ? [{ metric: family.metric, op: '<=' as const, value: previous.max }] : []),
        ...(previous.when ?? []),
      ]
    : [];
  const only = conditions.length === 1 ? conditions[0]! : undefined;
  const negated = only ? NEGATED[only.op] : undefined;
  if (only && negated) return explainCondition({ ...only, op: negated });
  return `None of these fit you yet: ${family.bands.slice(0, index).map((b) => words(b.segment)).join(', ')}`;
}

export function explainCondition(condition: Pick<MetricCondition, 'metric' | 'op' | 'value'>): string {
  const { metric, op, value } = condition;
  if (typeof value === 'boolean') {
    const truth = op === '!=' ? !value : value;
    return `${truth ? '' : 'Not: '}${capitalize(words(metric))}`;
  }
  const sentence = METRIC_SENTENCES[metric];
  if (sentence) return sentence(AT[op], String(value));
  return `${capitalize(words(metric))}: ${AT[op]} ${value}`;
}

export function explainCriterion(criterion: SegmentCriterion): string {
  switch (criterion.type) {
    case 'event_count': {
      const thing = EVENT_PHRASES[criterion.eventType] ?? `${words(criterion.eventType)} events`;
      const range =
        criterion.min !== undefined && criterion.max !== undefined
          ? `between ${criterion.min} and ${criterion.max}`
          : criterion.min !== undefined
            ? `at least ${criterion.min}`
            : `at most ${criterion.max}`;
      return `You had ${range} ${thing} in the last ${criterion.windowDays} days`;
    }
    case 'engagement_score':
      return criterion.min !== undefined
        ? `Your engagement with our emails and site is at least ${percent(String(criterion.min))}`
        : `Your engagement with our emails and site is at most ${percent(String(criterion.max))}`;
    case 'last_activity':
      return `You were active in the last ${criterion.maxDaysAgo} days`;
    case 'purchase_history':
      if (criterion.hasPurchased === false) return 'You have not ordered from us yet';
      return [
        criterion.minCount !== undefined ? `You ordered at least ${criterion.minCount} times` : 'You have ordered from us',
        ...(criterion.minTotal !== undefined ? [`for at least ${criterion.minTotal} in total`] : []),
      ].join(' ');
    case 'content_preference':
      return `At least ${percent(String(criterion.minRatio))} of what you look at is ${words(criterion.category)}`;
    case 'channel_preference':
      return `At least ${percent(String(criterion.minShare))} of your visits in the last ${criterion.windowDays} days were ${CHANNEL_PHRASES[criterion.channel]}`;
  }
}

const CHANNEL_PHRASES: Record<Channel, string> = {
  email: 'in our emails',
  web: 'on our website',
  app: 'in our app',
};

const EVENT_PHRASES: Record<string, string> = {
  page_view: 'page visits',
  product_view: 'product views',
  cart_add: 'items added to your cart',
  cart_abandon: 'carts left behind',
  purchase: 'orders',
  email_open: 'emails opened',
  email_click: 'email links clicked',
  search: 'searches',
};

function words(id: string): string {
  return id.replaceAll('_', ' ');
}

function capitalize(text: string): string {
  return text.replace(/^./, (c) => c.toUpperCase());
}

function minutes(seconds: string): string {
  const n = Number(seconds);
  return Number.isFinite(n) && n >= 60 ? `${Math.round(n / 60)} minutes` : `${seconds} seconds`;
}

function percent(share: string): string {
  const n = Number(share);
  return Number.isFinite(n) ? `${Math.round(n * 100)}%` : share;
}
