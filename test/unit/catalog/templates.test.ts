import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { singleEmailTemplates } from '#shared/catalog/rules.ts';
import { renderEmail, templateVariables, type EmailTemplate, type RenderedEmail } from '#shared/domain/email-template.ts';
import type { SendRequest } from '#shared/domain/send-request.ts';
import type { TriggerRule } from '#shared/domain/trigger-rules.ts';

/**
 * Every shipped rule's email, rendered the way the dispatcher renders it: with the properties that
 * rule's trigger really carries (all of them, then only the required ones and no first name).
 */
const BRAND = 'Nudge Demo Shop';
const FIRST_NAME = 'Ana';

type Cart = NonNullable<SendRequest['personalization']['cart']>;
type Fixture = {
  /** The trigger type the send request records (a temporal inactivity trigger is `inactivity`). */
  triggerType: string;
  /** Every property the trigger can carry. */
  full: Record<string, unknown>;
  /** Only the properties the trigger always carries. */
  minimal: Record<string, unknown>;
  cart?: { full: Cart; minimal: Cart };
  /** The greeting line for a name, and for none (the template's fallback). */
  greeting: (name: string | undefined) => string;
  /** Text the full (and the minimal) rendering must show in both the HTML and the text part. */
  shows?: { full?: string[]; minimal?: string[] };
  /** Variables the dispatcher adds for this send beside templateVariables (a confirmation's signed link). */
  variables?: Record<string, unknown>;
};

const hi = (name: string | undefined) => `Hi ${name ?? 'there'},`;
const purchase = {
  full: {
    orderId: 'ord-1001',
    amount: 620,
    currency: 'EUR',
    items: [
      { productId: 'p-teapot', name: 'Ceramic Teapot', quantity: 1, price: 39.5, category: 'kitchen' },
      { productId: 'p-cups', name: 'Tea Cups (set of 4)', quantity: 2, price: 290.25 },
    ],
  },
  minimal: { orderId: 'ord-1001', amount: 620 },
};

/** Each rule with the email it sends: its template, or for a rule that starts a sequence its single-email alternative. */
const emailRules: TriggerRule[] = defaultCatalog.rules.map((rule) =>
  rule.startSequence === undefined ? rule : { ...rule, templateId: singleEmailTemplates[rule.id], startSequence: undefined },
);

const fixtures: Record<string, Fixture> = {
  cart_abandonment_1hour: {
    triggerType: 'cart_abandon',
    full: { cartValue: 85.5, currency: 'EUR', cartId: 'cart-7', items: [{ productId: 'p-teapot', name: 'Ceramic Teapot', quantity: 1, price: 39.5 }] },
    minimal: { cartValue: 85.5 },
    cart: {
      full: {
        value: 85.5,
        currency: 'EUR',
        itemCount: 2,
        at: '2026-11-20T11:00:00Z',
        items: [
          { productId: 'p-teapot', name: 'Ceramic Teapot', quantity: 1, price: 39.5, category: 'kitchen' },
          { productId: 'p-tea', name: 'Green Tea', quantity: 2, price: 23 },
        ],
      },
      minimal: { value: 85.5, itemCount: 1, at: '2026-11-20T11:00:00Z', items: [{ productId: 'p-teapot', quantity: 1, price: 85.5 }] },
    },
    greeting: (name) => `Still thinking it over, ${name ?? 'friend'}?`,
    shows: { full: ['Ceramic Teapot', '€85.50'], minimal: ['p-teapot', '$85.50'] },
  },
  welcome_new_subscriber: {
    triggerType: 'subscribe',
    full: { email: 'ana@example.com', source: 'newsletter_signup', categories: ['marketing'] },
    minimal: {},
    greeting: (name) => `Welcome, ${name ?? 'friend'}!`,
  },
  churn_prevention_high_risk: {
    triggerType: 'ChurnRiskChanged',
    full: {
      customerId: 'cust-42',
      transitionId: 'churn-v3:cust-42:2026-11-20',
      at: '2026-11-20T12:00:00Z',
      probability: 0.83,
      previousProbability: 0.64,
      modelId: 'churn-v3',
    },
    minimal: { customerId: 'cust-42', transitionId: 'churn-v3:cust-42:2026-11-20', at: '2026-11-20T12:00:00Z', probability: 0.83 },
    greeting: hi,
  },
  segment_entry_campaign: {
    triggerType: 'SegmentEntered',
    full: { customerId: 'cust-42', transitionId: 'seg-1', at: '2026-11-20T04:00:00Z', segmentId: 'high_engagement', matchScore: 0.93, priority: 'high' },
    minimal: { customerId: 'cust-42', transitionId: 'seg-1', at: '2026-11-20T04:00:00Z' },
    greeting: hi,
  },
  purchase_intent_picks: {
    triggerType: 'PurchaseIntentChanged',
    full: {
      customerId: 'cust-42',
      transitionId: 'purchase_intent:cust-42:2026-11-20',
      at: '2026-11-20T04:00:00Z',
      probability: 0.81,
      previousProbability: 0.6,
      modelId: 'purchase_intent-2026-11-15',
      interests: ['garden', 'tools'],
    },
    minimal: { customerId: 'cust-42', transitionId: 'purchase_intent:cust-42:2026-11-20', at: '2026-11-20T04:00:00Z', probability: 0.81, interests: [] },
    greeting: hi,
  },
  browse_abandonment: {
    triggerType: 'product_view',
    full: { productId: 'p-teapot', name: 'Ceramic Teapot', category: 'kitchen', price: 39.5, currency: 'EUR', url: '/products/p-teapot' },
    minimal: { productId: 'p-teapot' },
    greeting: hi,
    shows: { full: ['Ceramic Teapot', '€39.50', 'kitchen'] },
  },
  post_purchase_follow_up: {
    triggerType: 'purchase',
    ...purchase,
    greeting: hi,
    shows: { full: ['Ceramic Teapot', 'ord-1001'], minimal: ['ord-1001'] },
  },
  win_back_60_days: {
    triggerType: 'inactivity',
    full: { idleDays: 61, lastActivityAt: '2026-09-20T09:30:00Z' },
    minimal: { idleDays: 61, lastActivityAt: '2026-09-20T09:30:00Z' },
    greeting: hi,
  },
  high_engagement_premium_content: {
    triggerType: 'email_click',
    full: { sendId: 'send-123', ruleId: 'welcome_new_subscriber', url: 'https://shop.example/guides', campaignId: 'autumn' },
    minimal: {},
    greeting: hi,
  },
  vip_onboarding: {
    triggerType: 'purchase',
    ...purchase,
    greeting: hi,
    shows: { full: ['€620.00'] },
  },
  confirm_subscription: {
    triggerType: 'consent_confirmation_requested',
    full: { categories: ['marketing', 'product_updates'], sendId: 'send-1', via: 'preference_center' },
    minimal: { categories: ['marketing'] },
    greeting: hi,
    variables: {
      confirm: {
        url: 'https://links.example.com/s/token',
        hours: 48,
        categories: [{ name: 'Offers and reminders', description: 'Offers, cart reminders and recommendations picked for you.' }],
      },
    },
    shows: { full: ['Offers and reminders', 'https://links.example.com/s/token', '48 hours'] },
  },
  support_follow_up: {
    triggerType: 'support_ticket',
    full: { ticketId: 'T-4711', status: 'solved', subject: 'Lid arrived cracked', priority: 'normal' },
    minimal: { ticketId: 'T-4711' },
    greeting: hi,
    shows: { full: ['T-4711', 'Lid arrived cracked'], minimal: ['T-4711'] },
  },
};

function sendRequest(rule: TriggerRule, variant: 'full' | 'minimal'): SendRequest {
  const fixture = fixtures[rule.id]!;
  const cart = fixture.cart?.[variant];
  return {
    sendId: `send-${rule.id}`,
    customerId: 'cust-42',
    ruleId: rule.id,
    templateId: rule.templateId!,
    category: rule.category,
    email: 'ana@example.com',
    decidedAt: '2026-11-20T12:00:00Z',
    trigger: { eventId: `evt-${rule.id}`, type: fixture.triggerType, occurredAt: '2026-11-20T12:00:00Z' },
    conditions: [],
    personalization: {
      ...(variant === 'full' ? { firstName: FIRST_NAME, lastName: 'Lee' } : {}),
      ...(cart ? { cart } : {}),
      eventProperties: { ...fixture[variant] },
    },
  };
}

/** The full properties without one optional property: each guard on its own, not only all-or-nothing. */
function optionalKeys(ruleId: string): string[] {
  const { full, minimal } = fixtures[ruleId]!;
  return Object.keys(full).filter((key) => !(key in minimal));
}

function templateOf(rule: TriggerRule): EmailTemplate {
  const template = defaultCatalog.templates.find((t) => t.id === rule.templateId);
  if (!template) throw new Error(`rule ${rule.id}: no template ${rule.templateId}`);
  return template;
}

async function render(rule: TriggerRule, variant: 'full' | 'minimal', without?: string): Promise<RenderedEmail> {
  const request = sendRequest(rule, variant);
  if (without) delete request.personalization.eventProperties[without];
  const result = await renderEmail(templateOf(rule), { ...templateVariables(request, BRAND), ...fixtures[rule.id]!.variables });
  if (result.type !== 'rendered') throw new Error(`rule ${rule.id} (${variant}${without ? ` without ${without}` : ''}): ${result.reason}`);
  return result.email;
}

/** The HTML part as a reader sees it: tags dropped, entities of the escaped data decoded. */
function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#39;|&#34;|&quot;|&amp;|&lt;|&gt;/g, (entity) => ({ '&#39;': "'", '&#34;': '"', '&quot;': '"', '&amp;': '&', '&lt;': '<', '&gt;': '>' })[entity]!);
}

function parts(email: RenderedEmail): Array<[string, string]> {
  return [
    ['subject', email.subject],
    ['html', email.html],
    ['text', email.text],
  ];
}

/** What must hold for every rendered email, whatever the data. */
function expectWellFormed(email: RenderedEmail, label: string): void {
  expect(email.subject.trim(), `${label}: subject`).not.toBe('');
  expect(email.subject.length, `${label}: subject length`).toBeLessThanOrEqual(120);
  expect(email.html, `${label}: html document`).toMatch(/^<!doctype html>/);
  expect(email.text, `${label}: text part has no markup`).not.toMatch(/<\/?[a-z][^>]*>/i);
  for (const [part, content] of [...parts(email), ['visible html', visibleText(email.html)] as [string, string]]) {
    expect(content, `${label}: ${part} has Liquid left over`).not.toMatch(/\{\{|\}\}|\{%|%\}/);
    expect(content, `${label}: ${part} shows a missing value`).not.toMatch(/\bundefined\b|\bnull\b|\bNaN\b|\[object Object\]/i);
    // A blank interpolation leaves a space before punctuation ("Hi ,") or empty brackets/quotes.
    expect(content, `${label}: ${part} has a blank where a value was`).not.toMatch(/ [,.!?;:)]|\(\s*\)|""/);
  }
}

function expectShown(email: RenderedEmail, label: string, expected: string[]): void {
  for (const snippet of expected) {
    expect(visibleText(email.html), `${label}: html shows ${snippet}`).toContain(snippet);
    expect(email.text, `${label}: text shows ${snippet}`).toContain(snippet);
  }
}

describe('catalog templates: every rule has its email', () => {
  it('every rule has a test fixture here, and every fixture a rule', () => {
    expect(Object.keys(fixtures).sort()).toEqual(defaultCatalog.rules.map((r) => r.id).sort());
  });

  it("every rule's template exists, and every template is used by some rule or sequence step", () => {
    const templateIds = defaultCatalog.templates.map((t) => t.id);
    const used = new Set([
      ...emailRules.map((r) => r.templateId),
      ...defaultCatalog.sequences.flatMap((sequence) => sequence.steps.map((step) => step.templateId)),
    ]);
    for (const rule of emailRules) expect(templateIds, `template of rule ${rule.id}`).toContain(rule.templateId);
    expect(templateIds.filter((id) => !used.has(id)), 'templates no rule or sequence step uses').toEqual([]);
  });

  describe.each(emailRules.map((rule) => [rule.id, rule] as const))('%s', (_id, rule) => {
    const fixture = fixtures[rule.id]!;

    it('renders with everything the trigger carries and the first name', async () => {
      const email = await render(rule, 'full');
      expectWellFormed(email, `${rule.id} (full)`);
      expect(visibleText(email.html)).toContain(fixture.greeting(FIRST_NAME));
      expect(email.text).toContain(fixture.greeting(FIRST_NAME));
      expectShown(email, `${rule.id} (full)`, fixture.shows?.full ?? []);
    });

    it('renders with only the required properties and no name, greeting with the fallback', async () => {
      const email = await render(rule, 'minimal');
      expectWellFormed(email, `${rule.id} (minimal)`);
      expect(visibleText(email.html)).toContain(fixture.greeting(undefined));
      expect(email.text).toContain(fixture.greeting(undefined));
      for (const [part, content] of parts(email)) expect(content, `${part} names someone`).not.toContain(FIRST_NAME);
      expectShown(email, `${rule.id} (minimal)`, fixture.shows?.minimal ?? []);
    });

    it('renders when any one optional property is missing', async () => {
      for (const key of optionalKeys(rule.id)) {
        const email = await render(rule, 'full', key);
        expectWellFormed(email, `${rule.id} (without ${key})`);
        expect(email.text).toContain(fixture.greeting(FIRST_NAME));
      }
    });
  });
});

describe('catalog templates: content', () => {
  const rule = (id: string): TriggerRule => defaultCatalog.rules.find((r) => r.id === id)!;

  it('the churn email never shows the model, its probabilities or internal ids', async () => {
    for (const variant of ['full', 'minimal'] as const) {
      const email = await render(rule('churn_prevention_high_risk'), variant);
      for (const [part, content] of parts(email)) {
        for (const secret of ['0.83', '.83', '83', '0.64', '64', '%', 'probab', 'risk', 'churn', 'cust-42', 'model']) {
          expect(content.toLowerCase(), `${variant} ${part} shows "${secret}"`).not.toContain(secret);
        }
      }
    }
  });

  it('the support follow-up names the ticket in subject, html and text', async () => {
    const email = await render(rule('support_follow_up'), 'minimal');
    for (const [part, content] of parts(email)) expect(content, part).toContain('T-4711');
  });

  it('the browse reminder falls back to a generic line without the product name, and never shows the bare product id', async () => {
    const full = await render(rule('browse_abandonment'), 'full');
    expect(full.subject).toBe(`${FIRST_NAME}, still thinking about Ceramic Teapot?`);
    const minimal = await render(rule('browse_abandonment'), 'minimal');
    expect(minimal.subject).toBe('Hi, did something catch your eye?');
    for (const email of [full, minimal]) {
      for (const [part, content] of parts(email)) expect(content, part).not.toContain('p-teapot');
    }
  });

  it('escapes markup arriving in event properties in the HTML part', async () => {
    const request = sendRequest(rule('browse_abandonment'), 'full');
    request.personalization.eventProperties = { productId: 'p1', name: '<img src=x onerror=alert(1)> & Co' };
    const result = await renderEmail(templateOf(rule('browse_abandonment')), templateVariables(request, BRAND));
    if (result.type !== 'rendered') throw new Error(result.reason);
    expect(result.email.html).not.toContain('<img');
    expect(result.email.html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; Co');
  });

  it('a long product name is shortened in the subject', async () => {
    const request = sendRequest(rule('browse_abandonment'), 'full');
    request.personalization.eventProperties = { productId: 'p1', name: 'Hand-thrown stoneware teapot '.repeat(10) };
    const result = await renderEmail(templateOf(rule('browse_abandonment')), templateVariables(request, BRAND));
    if (result.type !== 'rendered') throw new Error(result.reason);
    expect(result.email.subject.length).toBeLessThanOrEqual(100);
  });
});

describe('strict rendering with lenientIf', () => {
  const bare = (subject: string): EmailTemplate => ({ id: 'probe', subject, html: 'x', text: 'x', requires: [] });
  const variables = { event: { productId: 'p1' }, brand: { name: BRAND } };

  it('lets a template test a missing event property in if/unless and default', async () => {
    for (const subject of ['{% if event.name %}{{ event.name }}{% else %}none{% endif %}', '{% unless event.name %}none{% endunless %}', '{{ event.name | default: "none" }}']) {
      expect(await renderEmail(bare(subject), variables), subject).toMatchObject({ type: 'rendered', email: { subject: 'none' } });
    }
  });

  it('still fails on a missing variable or property used anywhere else', async () => {
    for (const subject of ['Hi {{ nope }}', 'Hi {{ event.name }}', '{{ event.price | money: event.currency }}', '{% for item in event.items %}x{% endfor %}']) {
      expect((await renderEmail(bare(subject), variables)).type, subject).toBe('failed');
    }
  });
});

describe('recommendations from the top categories', () => {
  it('win_back names the customer\'s top categories when they have some, and says nothing of them otherwise', async () => {
    const template = defaultCatalog.templates.find((t) => t.id === 'win_back')!;
    const request = (topCategories?: string[]): SendRequest => ({
      sendId: 's',
      customerId: 'c',
      ruleId: 'win_back_60_days',
      templateId: 'win_back',
      category: 'marketing',
      email: 'c@example.com',
      decidedAt: '2026-11-20T12:00:00Z',
      trigger: { eventId: 'e', type: 'inactivity', occurredAt: '2026-11-20T12:00:00Z' },
      conditions: [],
      personalization: { eventProperties: {}, ...(topCategories ? { topCategories } : {}) },
    });
    const withTop = await renderEmail(template, templateVariables(request(['kitchen', 'garden']), 'Shop'));
    const without = await renderEmail(template, templateVariables(request(), 'Shop'));
    if (withTop.type !== 'rendered' || without.type !== 'rendered') throw new Error('expected both to render');
    expect(withTop.email.html).toContain('new in kitchen, garden');
    expect(withTop.email.text).toContain('new in kitchen, garden');
    expect(without.email.html).not.toContain('Picked for you');
  });
});
