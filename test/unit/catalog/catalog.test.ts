import { describe, expect, it } from 'vitest';
import { defaultCatalog, defaultCatalogInput, InvalidCatalogError, loadCatalog } from '#shared/catalog/index.ts';
import type { TriggerRuleInput } from '#shared/domain/trigger-rules.ts';

const ruleInput = (id: string): TriggerRuleInput => {
  const found = defaultCatalogInput.rules.find((rule) => rule.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};
const withRules = (rules: unknown[]) => ({ ...defaultCatalogInput, rules }) as typeof defaultCatalogInput;

describe('catalog validation', () => {
  it('ships the source rules (and the purchase intent rule), the high-volume marketing flows opt-in', () => {
    const byId = Object.fromEntries(defaultCatalog.rules.map((rule) => [rule.id, rule]));
    expect(Object.keys(byId).sort()).toEqual([
      'browse_abandonment',
      'cart_abandonment_1hour',
      'churn_prevention_high_risk',
      'confirm_subscription',
      'high_engagement_premium_content',
      'post_purchase_follow_up',
      'purchase_intent_picks',
      'segment_entry_campaign',
      'support_follow_up',
      'vip_onboarding',
      'welcome_new_subscriber',
      'win_back_60_days',
    ]);
    expect(defaultCatalog.rules.filter((rule) => !rule.active).map((rule) => rule.id).sort()).toEqual([
      'browse_abandonment',
      'high_engagement_premium_content',
      'post_purchase_follow_up',
    ]);
    expect(byId.cart_abandonment_1hour).toMatchObject({ priority: 100, cooldownHours: 24, maxSends: { count: 1, periodHours: 24 }, trigger: { eventType: 'cart_abandon' } });
    expect(byId.welcome_new_subscriber).toMatchObject({ priority: 90, maxSends: { count: 1 } });
    expect(byId.purchase_intent_picks).toMatchObject({ cooldownHours: 336, trigger: { type: 'predictive', eventType: 'PurchaseIntentChanged' }, templateId: 'picked_for_you' });
    expect(byId.churn_prevention_high_risk).toMatchObject({ priority: 95, cooldownHours: 168, maxSends: { count: 2 }, trigger: { type: 'predictive', eventType: 'ChurnRiskChanged' } });
    expect(byId.win_back_60_days?.trigger).toEqual({ type: 'temporal', kind: 'inactivity', days: 60 });
  });

  it('names the rule and field of a bad rule', () => {
    const bad = withRules([...defaultCatalogInput.rules, { ...ruleInput('cart_abandonment_1hour'), id: 'second', cooldownHours: -1 }]);
    expect(() => loadCatalog(bad)).toThrow(InvalidCatalogError);
    expect(() => loadCatalog(bad)).toThrow(new RegExp(`rules\\.${defaultCatalogInput.rules.length}\\.cooldownHours`));
  });

  it('rejects a rule that names a template the catalog does not have', () => {
    const bad = withRules([{ ...ruleInput('welcome_new_subscriber'), templateId: 'missing' }]);
    expect(() => loadCatalog(bad)).toThrow(/rules\.0\.templateId: rule welcome_new_subscriber uses template "missing"/);
  });

  it('rejects duplicate rule ids and unknown rule keys', () => {
    const welcome = ruleInput('welcome_new_subscriber');
    expect(() => loadCatalog(withRules([welcome, welcome]))).toThrow(/duplicate rule id "welcome_new_subscriber"/);
    expect(() => loadCatalog(withRules([{ ...welcome, cooldownHour: 5 }]))).toThrow(/cooldownHour/);
  });

  it('rejects a calculated field that is not a metric, with the path of the condition', () => {
    const bad = withRules([
      { ...ruleInput('win_back_60_days'), conditions: { all: [{ field: 'calculated.days_since_last_purchse', op: 'greater_than', value: 60 }] } },
    ]);
    expect(() => loadCatalog(bad)).toThrow(/rules\.0\.conditions\.all\.0\.field: rule win_back_60_days reads calculated\.days_since_last_purchse, which is not a metric/);
    // Model scores are metrics too.
    const score = withRules([{ ...ruleInput('win_back_60_days'), conditions: { all: [{ field: 'calculated.engagement_score', op: 'less_than', value: 0.2 }] } }]);
    expect(() => loadCatalog(score)).not.toThrow();
  });

  it('rejects a bad settings value (an unknown time zone, a quiet hour out of range)', () => {
    const settings = (sendTime: object) => ({ ...defaultCatalogInput, settings: { ...defaultCatalogInput.settings, sendTime: { ...defaultCatalogInput.settings.sendTime, ...sendTime } } });
    expect(() => loadCatalog(settings({ defaultTimezone: 'Europe/Nowhere' }))).toThrow(/settings\.sendTime\.defaultTimezone: must be an IANA time zone/);
    expect(() => loadCatalog(settings({ quietHours: { startHour: 24, endHour: 8 } }))).toThrow(/settings\.sendTime\.quietHours\.startHour/);
  });

  it('looks back 30 days for attribution by default (document 000), and names the setting when the lookback is unusable', () => {
    expect(defaultCatalog.settings.attributionWindowHours).toBe(720);
    const lookback = (hours: unknown, sendRetentionDays = defaultCatalogInput.settings.sendRetentionDays) =>
      loadCatalog({ ...defaultCatalogInput, settings: { ...defaultCatalogInput.settings, attributionWindowHours: hours, sendRetentionDays } } as never);
    expect(() => lookback(0)).toThrow(/settings\.attributionWindowHours: must be a positive number of hours \(720 = 30 days\)/);
    expect(() => lookback('30d')).toThrow(/settings\.attributionWindowHours: must be a number of hours/);
    expect(() => lookback(24 * 91)).toThrow(/settings\.attributionWindowHours: must be at most 2160 hours \(90 days\)/);
    // The touches come from the send records: a lookback they do not cover would find none.
    expect(() => lookback(720, 20)).toThrow(/settings\.attributionWindowHours: the attribution lookback \(720 hours\) is longer than the send records are kept \(sendRetentionDays 20\)/);
    expect(() => lookback(72)).not.toThrow();
  });
});
