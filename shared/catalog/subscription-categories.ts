import type { SubscriptionCategoryInput } from '../domain/subscription-categories.ts';

/**
 * The subscription categories every rule and sequence sends under, and what the preference center
 * lists. Marketing and product updates are opt-in (GDPR: promotional mail needs explicit consent);
 * transactional mail is required service mail (see ConsentDefault for why it cannot be turned off).
 */
export const subscriptionCategories: SubscriptionCategoryInput[] = [
  { id: 'marketing', name: 'Offers and reminders', description: 'Offers, cart reminders and recommendations picked for you.', consent: 'opt_in' },
  { id: 'product_updates', name: 'Product updates', description: 'News about new features and products, a few times a month at most.', consent: 'opt_in' },
  {
    id: 'transactional',
    name: 'Orders and account',
    description: 'Receipts, shipping notices and security messages. These are always on: you need them to use your account and get what you ordered.',
    consent: 'required',
  },
];
