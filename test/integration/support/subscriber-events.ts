import { uniqueId, type nudgeClient, type SesEmail } from './nudge-client.ts';

/**
 * Putting one event for a customer and waiting for the system to settle, and the subscriber
 * whose welcome email arrived (at daytime, so quiet hours hold nothing back): the two steps the
 * tracking-loop and preference-center suites start from.
 */
export function subscriberEvents(nudge: ReturnType<typeof nudgeClient>) {
  const put = async (customerId: string, type: string, properties: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => {
    await nudge.putEvents([{ detailType: type, detail: { eventId: uniqueId(type), customerId, occurredAt: (await nudge.now()).toISOString(), properties, ...extra } }]);
    await nudge.waitForIdle();
  };
  const welcomed = async (customerId: string): Promise<SesEmail> => {
    await nudge.daytime();
    await put(customerId, 'subscribe', { firstName: 'Lea' }, { email: `${customerId}@example.com` });
    const [email] = await nudge.emailsTo(`${customerId}@example.com`);
    if (!email) throw new Error(`no welcome email for ${customerId}`);
    return email;
  };
  return { put, welcomed };
}
