import type { SendRequest } from '#shared/domain/send-request.ts';
import { PERSONAL_MARKER } from '#shared/domain/personal-data.ts';
import { uniqueId } from './nudge-client.ts';

/**
 * A queued welcome email as the decision path would enqueue it (rule welcome_new_subscriber,
 * template welcome, marketing), for tests that drive the dispatcher, the ledger or the DLQs directly.
 * `withEmailCondition` records the passed `profile.email exists` condition a real decision carries
 * (with the personal marker in place of the address, as conditions.ts records it).
 */
export function welcomeSend(input: {
  customerId: string;
  email?: string;
  firstName: string;
  at?: Date;
  sendIdPrefix?: string;
  templateId?: string;
  withEmailCondition?: boolean;
}): SendRequest {
  const email = input.email ?? `${input.customerId}@example.com`;
  const at = (input.at ?? new Date()).toISOString();
  return {
    sendId: uniqueId(input.sendIdPrefix ?? 'send'),
    customerId: input.customerId,
    ruleId: 'welcome_new_subscriber',
    templateId: input.templateId ?? 'welcome',
    category: 'marketing',
    email,
    decidedAt: at,
    trigger: { eventId: uniqueId('evt'), type: 'subscribe', occurredAt: at },
    conditions: input.withEmailCondition ? [{ field: 'profile.email', op: 'exists', expected: true, actual: PERSONAL_MARKER, passed: true }] : [],
    personalization: { firstName: input.firstName, eventProperties: {} },
  };
}
