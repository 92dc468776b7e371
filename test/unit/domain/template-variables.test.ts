import { describe, expect, it } from 'vitest';
import { renderEmail, templateVariables } from '#shared/domain/email-template.ts';
import type { SendRequest } from '#shared/domain/send-request.ts';
import { welcomeRequest } from '../support/send-requests.ts';

function request(personalization: Record<string, unknown>): SendRequest {
  // The decision step adds the optional fields; SendRequest may not declare them yet.
  return welcomeRequest({ eventProperties: {}, ...personalization } as SendRequest['personalization']);
}

describe('templateVariables', () => {
  it('exposes lifetime value, engagement level, segments and top categories when personalization carries them', () => {
    const variables = templateVariables(
      request({ lifetimeValue: 1234.5, engagementLevel: 'highly_engaged', segments: ['vip', 'purchase_intent'], topCategories: ['shoes', 'bags'] }),
      'Shop',
    );
    expect(variables).toMatchObject({
      lifetime_value: 1234.5,
      engagement_level: 'highly_engaged',
      segment_interests: ['vip', 'purchase_intent'],
      recommended_categories: ['shoes', 'bags'],
    });
  });

  it('keeps a lifetime value of 0 (a customer who has not bought yet)', () => {
    expect(templateVariables(request({ lifetimeValue: 0 }), 'Shop').lifetime_value).toBe(0);
  });

  it('makes each of them nil (present, not absent) when personalization lacks them', () => {
    const variables = templateVariables(request({}), 'Shop');
    for (const name of ['lifetime_value', 'engagement_level', 'segment_interests', 'recommended_categories']) {
      expect(variables, name).toHaveProperty(name, null);
    }
  });

  it('makes malformed values and empty lists nil, and drops non-string list entries', () => {
    const variables = templateVariables(
      request({ lifetimeValue: 'a lot', engagementLevel: 7, segments: [], topCategories: ['shoes', 3, null, ''] }),
      'Shop',
    );
    expect(variables).toMatchObject({ lifetime_value: null, engagement_level: null, segment_interests: null, recommended_categories: ['shoes'] });
    expect(templateVariables(request({ lifetimeValue: Number.NaN, segments: 'vip' }), 'Shop')).toMatchObject({ lifetime_value: null, segment_interests: null });
  });

  it('keeps the existing variables', () => {
    const variables = templateVariables(request({ firstName: 'Ana', lastName: 'Lopez', eventProperties: { plan: 'pro' } }), 'Shop');
    expect(variables).toMatchObject({ first_name: 'Ana', last_name: 'Lopez', cart: null, event: { plan: 'pro' }, brand: { name: 'Shop' } });
  });

  it('lets a strict template test and fall back on them', async () => {
    const template = {
      id: 'interests',
      subject: '{% if engagement_level %}{{ engagement_level }}{% else %}unknown{% endif %} / {{ lifetime_value | default: 0 }}',
      html: '{% if recommended_categories %}{% for c in recommended_categories %}<li>{{ c }}</li>{% endfor %}{% else %}<p>none</p>{% endif %}',
      text: '{{ segment_interests | join: ", " | default: "no segments" }}',
      requires: [],
    };
    const present = await renderEmail(template, templateVariables(request({ engagementLevel: 'dormant', lifetimeValue: 80, topCategories: ['tea'], segments: ['a', 'b'] }), 'Shop'));
    expect(present).toMatchObject({ type: 'rendered', email: { subject: 'dormant / 80', text: 'a, b' } });
    if (present.type === 'rendered') expect(present.email.html).toContain('<li>tea</li>');
    const absent = await renderEmail(template, templateVariables(request({}), 'Shop'));
    expect(absent).toMatchObject({ type: 'rendered', email: { subject: 'unknown / 0', text: 'no segments' } });
    if (absent.type === 'rendered') expect(absent.email.html).toContain('<p>none</p>');
  });
});
