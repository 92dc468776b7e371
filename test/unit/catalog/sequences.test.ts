import { describe, expect, it } from 'vitest';
import { defaultCatalog, defaultCatalogInput, InvalidCatalogError, loadCatalog, type CatalogInput } from '#shared/catalog/index.ts';
import { renderEmail, templateVariables, type RenderedEmail } from '#shared/domain/email-template.ts';
import type { SendRequest } from '#shared/domain/send-request.ts';
import { Sequence, SEQUENCE_SIGNALS, stepOffsetsMs, type SequenceInput } from '#shared/domain/sequences.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const base: SequenceInput = {
  id: 'probe_series',
  description: 'A probe.',
  priority: 10,
  exitGoals: [{ type: 'unsubscribed' }],
  steps: [
    { id: 'first', timing: { type: 'offset', days: 0 }, templateId: 'welcome' },
    { id: 'second', timing: { type: 'offset', days: 2 }, templateId: 'welcome' },
  ],
};

/** The messages of a refused sequence, each prefixed with its path. */
function refusals(input: unknown): string[] {
  const parsed = Sequence.safeParse(input);
  if (parsed.success) throw new Error('expected the sequence to be refused');
  return parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

const sequenceById = (id: string) => {
  const found = defaultCatalog.sequences.find((s) => s.id === id);
  if (!found) throw new Error(`no sequence ${id}`);
  return found;
};
const offsets = (id: string) => stepOffsetsMs(sequenceById(id)).map((step) => step.offsetMs);
const withSequences = (sequences: SequenceInput[], extra: Partial<CatalogInput> = {}): CatalogInput => ({ ...defaultCatalogInput, sequences, ...extra });

describe('sequence schema', () => {
  it('accepts a valid sequence and fills the defaults', () => {
    expect(Sequence.parse(base)).toMatchObject({ category: 'marketing', steps: [{ id: 'first' }, { id: 'second' }] });
  });

  it('refuses a sequence without steps', () => {
    expect(refusals({ ...base, steps: [] })).toContainEqual('steps: a sequence needs at least one step');
  });

  it('refuses more than 10 steps', () => {
    const steps = Array.from({ length: 11 }, (_, i) => ({ id: `s${i}`, timing: { type: 'offset', days: i }, templateId: 'welcome' }));
    expect(refusals({ ...base, steps })).toContainEqual('steps: a sequence has at most 10 steps');
  });

  it('refuses offsets that do not strictly increase, naming both steps', () => {
    const steps = [
      { id: 'first', timing: { type: 'offset', days: 2 }, templateId: 'welcome' },
      { id: 'second', timing: { type: 'offset', hours: 48 }, templateId: 'welcome' },
    ];
    expect(refusals({ ...base, steps })).toEqual(['steps.1.timing: step second of sequence probe_series must come after step first: offsets must strictly increase']);
  });

  it('compares offsets across next_send_window steps', () => {
    const steps = [
      { id: 'first', timing: { type: 'offset', days: 3 }, templateId: 'welcome' },
      { id: 'window', timing: { type: 'next_send_window' }, templateId: 'welcome' },
      { id: 'third', timing: { type: 'offset', days: 1 }, templateId: 'welcome' },
    ];
    expect(refusals({ ...base, steps })).toEqual(['steps.2.timing: step third of sequence probe_series must come after step first: offsets must strictly increase']);
    expect(Sequence.safeParse({ ...base, steps: [steps[0], steps[1], { ...steps[2], timing: { type: 'offset', days: 4 } }] }).success).toBe(true);
  });

  it('refuses duplicate step ids', () => {
    const steps = [base.steps[0], { ...base.steps[1], id: 'first' }];
    expect(refusals({ ...base, steps })).toContainEqual('steps.1.id: duplicate step id "first" in sequence probe_series');
  });

  it('refuses an empty, negative or over-a-year offset', () => {
    expect(refusals({ ...base, steps: [{ id: 'a', timing: { type: 'offset' }, templateId: 'welcome' }] })).toContainEqual(
      'steps.0.timing: an offset needs at least one of days, hours, minutes',
    );
    expect(refusals({ ...base, steps: [{ id: 'a', timing: { type: 'offset', hours: -1 }, templateId: 'welcome' }] })).toContainEqual(
      'steps.0.timing.hours: must not be negative',
    );
    expect(refusals({ ...base, steps: [{ id: 'a', timing: { type: 'offset', days: 365, minutes: 1 }, templateId: 'welcome' }] })).toContainEqual(
      'steps.0.timing: an offset may be at most 365 days after the sequence starts',
    );
    expect(Sequence.safeParse({ ...base, steps: [{ id: 'a', timing: { type: 'offset', days: 365 }, templateId: 'welcome' }] }).success).toBe(true);
  });

  it('refuses an unknown timing, an unknown exit goal type and unknown keys', () => {
    expect(refusals({ ...base, steps: [{ id: 'a', timing: { type: 'tomorrow' }, templateId: 'welcome' }] }).join('\n')).toMatch(/^steps\.0\.timing\.type: /m);
    expect(refusals({ ...base, exitGoals: [{ type: 'bored' }] }).join('\n')).toMatch(/^exitGoals\.0\.type: Invalid discriminator value\. Expected 'event' \| 'unsubscribed' \| 'stage_changed' \| 'segment_exited' \| 'condition'/m);
    expect(refusals({ ...base, exitGoals: [{ type: 'event' }] }).join('\n')).toMatch(/^exitGoals\.0\.eventType: /m);
    expect(refusals({ ...base, steps: [{ ...base.steps[0], delay: 3 }] }).join('\n')).toMatch(/delay/);
  });

  it('refuses a priority outside 0..1000 and an empty startOn', () => {
    expect(refusals({ ...base, priority: 1001 }).join('\n')).toMatch(/^priority: /m);
    expect(refusals({ ...base, startOn: {} })).toContainEqual('startOn: startOn needs lifecycleStage, segmentEntered or signal');
  });

  it('stepOffsetsMs gives each offset step its offset and leaves out send-window steps', () => {
    const sequence = Sequence.parse({
      ...base,
      steps: [
        { id: 'a', timing: { type: 'offset', minutes: 30 }, templateId: 'welcome' },
        { id: 'b', timing: { type: 'next_send_window' }, templateId: 'welcome' },
        { id: 'c', timing: { type: 'offset', days: 1, hours: 2 }, templateId: 'welcome' },
      ],
    });
    expect(stepOffsetsMs(sequence)).toEqual([
      { stepId: 'a', offsetMs: 30 * 60_000 },
      { stepId: 'c', offsetMs: DAY + 2 * HOUR },
    ]);
  });
});

describe('catalog validation of sequences', () => {
  const shipped = defaultCatalogInput.sequences;

  it('names a step whose template does not exist', () => {
    const bad = withSequences([...shipped, { ...base, steps: [{ ...base.steps[0]!, templateId: 'no_such_template' }] }]);
    expect(() => loadCatalog(bad)).toThrow(InvalidCatalogError);
    expect(() => loadCatalog(bad)).toThrow(
      `sequences.${shipped.length}.steps.0.templateId: step first of sequence probe_series uses template "no_such_template", which the catalog does not define`,
    );
  });

  it('names the stage whose nurture sequence does not exist', () => {
    const bad = withSequences(shipped.filter((s) => s.id !== 'social_proof'));
    expect(() => loadCatalog(bad)).toThrow(
      'lifecycleStages.0.nurtureSequences.2: lifecycle stage prospect names nurture sequence "social_proof", which the catalog does not define',
    );
  });

  it('refuses duplicate sequence ids', () => {
    expect(() => loadCatalog(withSequences([...shipped, shipped[0]!]))).toThrow('sequences: duplicate sequence id "welcome_series"');
  });

  it('refuses unknown segments and stages in startOn and exit goals', () => {
    const bad = withSequences([
      ...shipped,
      { ...base, startOn: { lifecycleStage: 'retired', segmentEntered: 'no_segment' }, exitGoals: [{ type: 'segment_exited', segmentId: 'gone' }] },
    ]);
    const at = `sequences.${shipped.length}`;
    expect(() => loadCatalog(bad)).toThrow(`${at}.startOn.lifecycleStage: sequence probe_series starts on lifecycle stage "retired", which the catalog does not define`);
    expect(() => loadCatalog(bad)).toThrow(`${at}.startOn.segmentEntered: sequence probe_series starts on entering segment "no_segment", which the catalog does not define`);
    expect(() => loadCatalog(bad)).toThrow(`${at}.exitGoals.0.segmentId: sequence probe_series exits on leaving segment "gone", which the catalog does not define`);
    // A family's band is a segment too.
    const band = withSequences([...shipped, { ...base, startOn: { segmentEntered: 'engagement_low' } }]);
    expect(() => loadCatalog(band)).not.toThrow();
  });

  it('refuses calculated fields that are not metrics, in step conditions and exit goals', () => {
    const unknown = { all: [{ field: 'calculated.happiness', op: 'at_least' as const, value: 1 }] };
    const bad = withSequences([
      ...shipped,
      { ...base, exitGoals: [{ type: 'condition', conditions: unknown }], steps: [{ ...base.steps[0]!, conditions: unknown }] },
    ]);
    const at = `sequences.${shipped.length}`;
    expect(() => loadCatalog(bad)).toThrow(`${at}.steps.0.conditions.all.0.field: step first of sequence probe_series reads calculated.happiness, which is not a metric`);
    expect(() => loadCatalog(bad)).toThrow(`${at}.exitGoals.0.conditions.all.0.field: an exit goal of sequence probe_series reads calculated.happiness, which is not a metric`);
  });

  it('refuses a rule that starts an unknown sequence, a rule with both or neither of template and sequence, and a stage listing a sequence that starts elsewhere', () => {
    const withRule = (rule: Record<string, unknown>) => ({
      ...defaultCatalogInput,
      rules: [...defaultCatalogInput.rules, { id: 'probe', description: 'probe', priority: 1, trigger: { type: 'behavioral' as const, eventType: 'purchase' }, ...rule }],
    });
    const at = `rules.${defaultCatalogInput.rules.length}`;
    expect(() => loadCatalog(withRule({ startSequence: 'no_such_series' }))).toThrow(`${at}.startSequence: rule probe starts sequence "no_such_series", which the catalog does not define`);
    expect(() => loadCatalog(withRule({ startSequence: 'cart_recovery', templateId: 'welcome' }))).toThrow('rule probe needs exactly one of templateId (send an email) or startSequence (start a sequence)');
    expect(() => loadCatalog(withRule({}))).toThrow('rule probe needs exactly one of templateId (send an email) or startSequence (start a sequence)');
    expect(() => loadCatalog(withRule({ startSequence: 'cart_recovery', transactional: true }))).toThrow('a rule that starts a sequence cannot be transactional');
    const stages = defaultCatalogInput.lifecycleStages.map((stage) => (stage.id === 'prospect' ? { ...stage, nurtureSequences: [...(stage.nurtureSequences ?? []), 'onboarding_series'] } : stage));
    expect(() => loadCatalog({ ...defaultCatalogInput, lifecycleStages: stages })).toThrow('lifecycle stage prospect names nurture sequence "onboarding_series", which starts on stage new_customer');
  });
});

describe('the shipped sequences', () => {
  it('every lifecycle stage names only sequences the catalog defines, each starting on that stage or by a rule', () => {
    const ruleStarted = new Set(defaultCatalog.rules.flatMap((rule) => (rule.startSequence ? [rule.startSequence] : [])));
    for (const stage of defaultCatalog.lifecycleStages) {
      expect(stage.nurtureSequences.length, stage.id).toBeGreaterThan(0);
      for (const id of stage.nurtureSequences) {
        const sequence = sequenceById(id);
        if (sequence.startOn === undefined) expect(ruleStarted, `${stage.id}: ${id} is started by a rule`).toContain(id);
        else expect(sequence.startOn.lifecycleStage, `${stage.id}: ${id}`).toBe(stage.id);
        expect(sequence.exitGoals, `${stage.id}: ${id}`).toEqual(expect.arrayContaining([{ type: 'stage_changed' }, { type: 'unsubscribed' }]));
        expect(sequence.steps.length, `${stage.id}: ${id}`).toBeLessThanOrEqual(3);
      }
    }
  });

  it('every sequence exits on unsubscribe, and every step has its own <sequence>_<step> template', () => {
    for (const sequence of defaultCatalog.sequences) {
      expect(sequence.exitGoals, sequence.id).toContainEqual({ type: 'unsubscribed' });
      for (const step of sequence.steps) expect(step.templateId).toBe(`${sequence.id}_${step.id}`);
    }
  });

  it('every shipped sequence has something that starts it: an active rule, a stage, a segment entry or a signal', () => {
    // The class test for browse_abandonment_series, which was shipped with no starter at all.
    const segmentIds = new Set(defaultCatalog.segments.map((segment) => segment.id));
    const stageIds = new Set(defaultCatalog.lifecycleStages.map((stage) => stage.id));
    const byRule = new Set(defaultCatalog.rules.filter((rule) => rule.active !== false && rule.startSequence).map((rule) => rule.startSequence));
    for (const sequence of defaultCatalog.sequences) {
      const start = sequence.startOn;
      const starters = [
        byRule.has(sequence.id) && 'rule',
        start?.lifecycleStage !== undefined && stageIds.has(start.lifecycleStage) && 'stage',
        start?.segmentEntered !== undefined && segmentIds.has(start.segmentEntered) && 'segment',
        start?.signal !== undefined && SEQUENCE_SIGNALS[start.signal] !== undefined && 'signal',
      ].filter(Boolean);
      expect(starters, `${sequence.id} is started by nothing`).not.toEqual([]);
    }
  });

  it('a subscription cancellation ends every sequence but the win-back it starts (document 001: stop_active_campaigns)', () => {
    for (const sequence of defaultCatalog.sequences) {
      if (sequence.id === 'win_back') continue;
      expect(sequence.exitGoals, sequence.id).toContainEqual({ type: 'event', eventType: 'subscription_cancel' });
    }
  });

  it('welcome_series sends on days 0, 2 and 5', () => {
    expect(offsets('welcome_series')).toEqual([0, 2 * DAY, 5 * DAY]);
    expect(sequenceById('welcome_series').steps).toHaveLength(3);
  });

  it('cart_recovery sends after 1, 24 and 72 hours and stops on a purchase', () => {
    expect(offsets('cart_recovery')).toEqual([1 * HOUR, 24 * HOUR, 72 * HOUR]);
    expect(sequenceById('cart_recovery').exitGoals).toEqual(expect.arrayContaining([{ type: 'event', eventType: 'purchase' }, { type: 'unsubscribed' }]));
  });

  it('win_back sends on days 0, 7 and 14 and stops on any activity', () => {
    expect(offsets('win_back')).toEqual([0, 7 * DAY, 14 * DAY]);
    const exitEvents = sequenceById('win_back').exitGoals.flatMap((goal) => (goal.type === 'event' ? [goal.eventType] : []));
    expect(exitEvents.sort()).toEqual(['app_session', 'email_click', 'page_view', 'product_view', 'purchase']);
  });
});

// --- every step's email ---------------------------------------------------------------------

const BRAND = 'Nudge Demo Shop';
const FIRST_NAME = 'Ana';
const CARTS = {
  full: {
    value: 85.5,
    currency: 'EUR',
    itemCount: 3,
    at: '2026-11-20T11:00:00Z',
    items: [
      { productId: 'p-teapot', name: 'Ceramic Teapot', quantity: 1, price: 39.5, category: 'kitchen' },
      { productId: 'p-tea', name: 'Green Tea', quantity: 1, price: 23 },
    ],
  },
  minimal: { value: 85.5, itemCount: 1, at: '2026-11-20T11:00:00Z', items: [{ productId: 'p-teapot', quantity: 1, price: 85.5 }] },
};
/** The event a sequence was started by, where its emails read it (all properties, then only the required ones). */
const EVENTS: Record<string, { full: Record<string, unknown>; minimal: Record<string, unknown> }> = {
};

function request(sequenceId: string, templateId: string, variant: 'full' | 'minimal'): SendRequest {
  const event = EVENTS[sequenceId]?.[variant] ?? {};
  return {
    sendId: `send-${templateId}`,
    customerId: 'cust-42',
    ruleId: sequenceId,
    templateId,
    category: 'marketing',
    email: 'ana@example.com',
    decidedAt: '2026-11-20T12:00:00Z',
    trigger: { eventId: `evt-${templateId}`, type: 'sequence_step', occurredAt: '2026-11-20T12:00:00Z' },
    conditions: [],
    personalization: {
      ...(variant === 'full'
        ? { firstName: FIRST_NAME, lastName: 'Lee', topCategories: ['kitchen', 'garden'], lifetimeValue: 420, engagementLevel: 'high', segments: ['engagement_high'] }
        : {}),
      ...(sequenceId === 'cart_recovery' ? { cart: CARTS[variant] } : {}),
      eventProperties: { ...event },
    },
  } as SendRequest;
}

function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#39;|&#34;|&quot;|&amp;|&lt;|&gt;/g, (entity) => ({ '&#39;': "'", '&#34;': '"', '&quot;': '"', '&amp;': '&', '&lt;': '<', '&gt;': '>' })[entity]!);
}

function expectWellFormed(email: RenderedEmail, label: string): void {
  expect(email.subject.trim(), `${label}: subject`).not.toBe('');
  expect(email.subject.length, `${label}: subject length`).toBeLessThanOrEqual(120);
  expect(email.html, `${label}: html document`).toMatch(/^<!doctype html>/);
  expect(email.text, `${label}: text part has no markup`).not.toMatch(/<\/?[a-z][^>]*>/i);
  const parts: Array<[string, string]> = [
    ['subject', email.subject],
    ['html', email.html],
    ['visible html', visibleText(email.html)],
    ['text', email.text],
  ];
  for (const [part, content] of parts) {
    expect(content, `${label}: ${part} has Liquid left over`).not.toMatch(/\{\{|\}\}|\{%|%\}/);
    expect(content, `${label}: ${part} shows a missing value`).not.toMatch(/\bundefined\b|\bnull\b|\bNaN\b|\[object Object\]/i);
    expect(content, `${label}: ${part} has a blank where a value was`).not.toMatch(/ [,.!?;:)]|\(\s*\)|""/);
    expect(content, `${label}: ${part} has a link`).not.toMatch(/https?:|www\.|<a\s/i);
  }
  expect(email.text, `${label}: text has a run of blank lines`).not.toMatch(/\n\s*\n\s*\n/);
}

const steps = defaultCatalog.sequences.flatMap((sequence) => sequence.steps.map((step) => [`${sequence.id}.${step.id}`, sequence.id, step.templateId] as const));

describe('sequence templates: every step has its email', () => {
  describe.each(steps)('%s', (_label, sequenceId, templateId) => {
    const template = defaultCatalog.templates.find((t) => t.id === templateId)!;

    it('renders with everything known and the first name', async () => {
      const result = await renderEmail(template, templateVariables(request(sequenceId, templateId, 'full'), BRAND));
      if (result.type !== 'rendered') throw new Error(result.reason);
      expectWellFormed(result.email, `${templateId} (full)`);
      expect(visibleText(result.email.html)).toContain(`Hi ${FIRST_NAME},`);
      expect(result.email.text).toContain(`Hi ${FIRST_NAME},`);
      expect(result.email.text).toContain(`The ${BRAND} team`);
    });

    it('renders with nothing optional and no name, greeting with the fallback', async () => {
      const result = await renderEmail(template, templateVariables(request(sequenceId, templateId, 'minimal'), BRAND));
      if (result.type !== 'rendered') throw new Error(result.reason);
      expectWellFormed(result.email, `${templateId} (minimal)`);
      expect(visibleText(result.email.html)).toContain('Hi there,');
      expect(result.email.text).toContain('Hi there,');
      for (const content of [result.email.subject, result.email.html, result.email.text]) expect(content).not.toContain(FIRST_NAME);
    });
  });

  it('cart_recovery emails show the cart and refuse to render without one', async () => {
    for (const step of sequenceById('cart_recovery').steps) {
      const template = defaultCatalog.templates.find((t) => t.id === step.templateId)!;
      const rendered = await renderEmail(template, templateVariables(request('cart_recovery', step.templateId, 'full'), BRAND));
      if (rendered.type !== 'rendered') throw new Error(rendered.reason);
      expect(visibleText(rendered.email.html), step.id).toContain('Ceramic Teapot');
      expect(rendered.email.text, step.id).toContain('Total: €85.50');
      const noCart = request('welcome_series', step.templateId, 'full');
      expect((await renderEmail(template, templateVariables(noCart, BRAND))).type, step.id).toBe('failed');
    }
  });

});
