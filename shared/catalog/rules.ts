import type { TriggerRuleInput } from '../domain/trigger-rules.ts';

/** The default trigger rules. Every rule here is exercised by the demo scenario (events/scenarios). */
export const rules: TriggerRuleInput[] = [
  {
    id: 'welcome_new_subscriber',
    description: 'Welcome a new subscriber once, ever.',
    priority: 90,
    trigger: { type: 'behavioral', eventType: 'subscribe' },
    conditions: { all: [{ field: 'profile.email', op: 'exists', value: true }] },
    maxSends: { count: 1 },
    templateId: 'welcome',
    category: 'marketing',
  },
  {
    id: 'cart_abandonment_reminder',
    description: 'Remind a customer of an abandoned cart worth more than 50, at most once per 24 hours.',
    priority: 100,
    trigger: { type: 'behavioral', eventType: 'cart_abandon' },
    conditions: { all: [{ field: 'event.properties.cartValue', op: 'greater_than', value: 50 }] },
    cooldownHours: 24,
    templateId: 'cart_reminder',
    category: 'marketing',
  },
];
