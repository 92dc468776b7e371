import type { SendRequest } from '#shared/domain/send-request.ts';

/** The shipped welcome send of customer c1, decided at 2026-11-20 12:00 UTC, with the given personalization. */
export function welcomeRequest(personalization: SendRequest['personalization']): SendRequest {
  return {
    sendId: 's1',
    customerId: 'c1',
    ruleId: 'welcome_new_subscriber',
    templateId: 'welcome',
    category: 'marketing',
    email: 'c1@example.com',
    decidedAt: '2026-11-20T12:00:00Z',
    trigger: { eventId: 'e1', type: 'subscribe', occurredAt: '2026-11-20T12:00:00Z' },
    conditions: [],
    personalization,
  };
}
