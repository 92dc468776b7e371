/**
 * An alternative catalog for `nudge replay --compare`: the shipped one with the cart-abandonment
 * threshold raised from 50 to 80. `npx nudge replay stream.jsonl --compare events/replays/cart-threshold-80.ts`
 * prints how many sends and conversions that change costs or saves.
 */
import { defaultCatalogInput, type CatalogInput } from '../../shared/catalog/index.ts';

const catalog: CatalogInput = structuredClone(defaultCatalogInput);
const cartRule = catalog.rules.find((rule) => rule.id === 'cart_abandonment_1hour');
if (!cartRule) throw new Error('the shipped catalog has no cart_abandonment_1hour rule');
cartRule.conditions = { all: [{ field: 'event.properties.cartValue', op: 'greater_than', value: 80 }] };

export default catalog;
