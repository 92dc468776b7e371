import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { renderEmail, templateVariables, type EmailTemplate } from '#shared/domain/email-template.ts';
import type { SendRequest } from '#shared/domain/send-request.ts';

function request(personalization: Partial<SendRequest['personalization']>): SendRequest {
  return {
    sendId: 's1',
    customerId: 'c1',
    ruleId: 'cart_abandonment_1hour',
    templateId: 'cart_reminder',
    category: 'marketing',
    email: 'c1@example.com',
    decidedAt: '2026-11-20T12:00:00Z',
    trigger: { eventId: 'e1', type: 'cart_abandon', occurredAt: '2026-11-20T12:00:00Z' },
    conditions: [],
    personalization: { eventProperties: {}, ...personalization },
  };
}

const template = (id: string): EmailTemplate => defaultCatalog.templates.find((t) => t.id === id)!;

describe('catalog templates', () => {
  it('render the cart reminder with name, items and total', async () => {
    const result = await renderEmail(
      template('cart_reminder'),
      templateVariables(
        request({
          firstName: 'Ana',
          cart: { value: 75.99, currency: 'EUR', itemCount: 2, at: '2026-11-20T12:00:00Z', items: [{ productId: 'p1', name: 'Teapot', quantity: 1, price: 45.99 }, { productId: 'p2', quantity: 2, price: 15 }] },
        }),
        'Shop',
      ),
    );
    if (result.type !== 'rendered') throw new Error(result.reason);
    expect(result.email.subject).toBe('Ana, you left 2 items in your cart');
    expect(result.email.html).toContain('Teapot');
    expect(result.email.html).toContain('€75.99');
    expect(result.email.text).toContain('- p2 x 2: €15.00');
    expect(result.email.text).toContain('Total: €75.99');
  });

  it('fall back when the first name is unknown', async () => {
    const result = await renderEmail(template('welcome'), templateVariables(request({}), 'Shop'));
    if (result.type !== 'rendered') throw new Error(result.reason);
    expect(result.email.subject).toBe('Welcome to Shop, friend!');
  });

  it('every shipped template renders with a full personalization', async () => {
    const full = request({
      firstName: 'Ana',
      lastName: 'Lee',
      cart: { value: 10, currency: 'USD', itemCount: 1, at: '2026-11-20T12:00:00Z', items: [{ productId: 'p1', quantity: 1, price: 10 }] },
    });
    // What the dispatcher adds for a subscription confirmation (the only template that requires it).
    const confirm = { url: 'https://links.example.com/s/t', hours: 48, categories: [{ name: 'Offers', description: 'Offers.' }] };
    for (const t of defaultCatalog.templates) {
      const result = await renderEmail(t, { ...templateVariables(full, 'Shop'), confirm });
      expect(result.type, `${t.id}: ${result.type === 'failed' ? result.reason : ''}`).toBe('rendered');
    }
  });
});

describe('rendering safety', () => {
  it('escapes HTML coming from data, but not in the plain-text part', async () => {
    const result = await renderEmail(template('welcome'), templateVariables(request({ firstName: '<script>x</script>' }), 'Shop'));
    if (result.type !== 'rendered') throw new Error(result.reason);
    expect(result.email.html).not.toContain('<script>');
    expect(result.email.html).toContain('&lt;script&gt;');
    expect(result.email.text).toContain('<script>x</script>');
  });

  it('does not execute Liquid that arrives inside data', async () => {
    const result = await renderEmail(template('welcome'), templateVariables(request({ firstName: '{{ brand.name }}' }), 'Shop'));
    if (result.type !== 'rendered') throw new Error(result.reason);
    expect(result.email.subject).toBe('Welcome to Shop, {{ brand.name }}!');
  });

  it('fails, naming the template, on an unknown variable or a syntax error', async () => {
    const unknown = await renderEmail({ id: 'bad', subject: 'Hi {{ nope }}', html: 'x', text: 'x', requires: [] }, {});
    expect(unknown).toMatchObject({ type: 'failed' });
    expect(unknown.type === 'failed' && unknown.reason).toMatch(/template bad: .*nope/);
    const broken = await renderEmail({ id: 'broken', subject: 'Hi', html: '{% if %}', text: 'x', requires: [] }, {});
    expect(broken).toMatchObject({ type: 'failed' });
  });
});
