/**
 * The catalog for replaying a known-effect stream (events/generators/known-effect.ts): the shipped
 * one with a holdout on the cart-abandonment rule, so its decisions split into treated (cart_recovery
 * starts) and control (recorded as holdout). The generator reads the rule id and the percent from
 * here, so the stream's "who was emailed" and the replay's agree by construction.
 *
 *   npx nudge replay events/replays/known-effect.jsonl --fast --catalog events/replays/known-effect.ts
 *
 * known-effect.jsonl beside it is generated, never edited (test/unit/events/known-effect.test.ts checks it):
 *   npx tsx events/generators/write-known-effect.ts --customers 800 --effect 0.1 --seed 1 > events/replays/known-effect.jsonl
 * 800 customers (about 160 held out), baseline 10%, true effect +10 points: inside the 2 MB a
 * shipped file may take, +5 points would be below what 160 controls can detect.
 */
import { defaultCatalogInput, type CatalogInput } from '../../shared/catalog/index.ts';

/** The rule whose effect the stream plants: the shipped cart rule (cart_abandon with a cart worth more than 50). */
export const KNOWN_EFFECT_RULE_ID = 'cart_abandonment_1hour';
/** Its control group: a fifth of the customers, enough for 100 controls from 500 customers. */
export const KNOWN_EFFECT_HOLDOUT_PERCENT = 20;

/** The shipped catalog with `holdoutPercent` on the cart rule (another percent for a stream generated with another one). */
export function knownEffectCatalog(holdoutPercent: number = KNOWN_EFFECT_HOLDOUT_PERCENT): CatalogInput {
  const catalog: CatalogInput = structuredClone(defaultCatalogInput);
  const cartRule = catalog.rules.find((rule) => rule.id === KNOWN_EFFECT_RULE_ID);
  if (!cartRule) throw new Error(`the shipped catalog has no ${KNOWN_EFFECT_RULE_ID} rule`);
  cartRule.holdoutPercent = holdoutPercent;
  return catalog;
}

export default knownEffectCatalog();
