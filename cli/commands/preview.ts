import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DOCUMENT_TRANSLATE_CONFIG } from '#shared/adapters/dynamo/translate-config.ts';
import { DynamoProfileStore } from '#shared/adapters/dynamo/profile-repository.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { renderEmail, templateVariables, type EmailTemplate } from '#shared/domain/email-template.ts';
import type { Profile } from '#shared/domain/profile.ts';
import { categoriesToConfirm, type ConfirmationVariables } from '#shared/domain/email-links.ts';
import { escapeHtml } from '#shared/domain/html.ts';
import { CONFIRMATION_LIFETIME_HOURS } from '#shared/domain/link-tokens.ts';
import { personalizationFrom } from '#shared/domain/send-decision.ts';
import type { SendRequest } from '#shared/domain/send-request.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { requireOutput } from '#local/stack/outputs.ts';
import { keyValueTable, printResult } from '../format.ts';
import { callLocal, type LocalStatus } from '../local-control.ts';

/** Stands in for the signed unsubscribe link the dispatcher adds (a preview has no send to sign). */
export const PREVIEW_UNSUBSCRIBE_URL = 'https://unsubscribe.invalid/preview';
/** Stands in for a subscription confirmation's signed link. */
export const PREVIEW_CONFIRM_URL = 'https://confirm.invalid/preview';

export type PreviewOptions = { out?: string; event?: string; json?: boolean };

export type PreviewResult = {
  templateId: string;
  customerId: string;
  file: string;
  subject: string;
  preheader: string | null;
  text: string;
  variables: Record<string, unknown>;
};

/**
 * `nudge preview <template> <customerId> [--event <json>] [--out <file.html>]`: renders a catalog
 * template with the variables the dispatcher would give it for this customer's stored profile,
 * writes the HTML (subject and preheader shown on top) and prints the subject and the text part.
 *
 * The links and footer the dispatcher adds around the rendered email (tracked links, unsubscribe
 * footer) are not part of the preview; `unsubscribe_url` is a placeholder.
 */
export async function preview(templateId: string, customerId: string, options: PreviewOptions): Promise<void> {
  const template = defaultCatalog.templates.find((t) => t.id === templateId);
  if (!template) {
    throw new Error(`no template "${templateId}" in the catalog; templates: ${defaultCatalog.templates.map((t) => t.id).join(', ')}`);
  }
  const eventProperties = parseEventProperties(options.event);
  const { profile, now } = await loadProfile(customerId);

  const variables = previewVariables(profile, template, eventProperties, now);
  const rendered = await renderEmail(template, variables);
  if (rendered.type === 'failed') throw new Error(`cannot render ${templateId} for ${customerId}: ${rendered.reason}`);
  const preheader = await renderPreheader(template, variables);

  const file = resolve(options.out ?? `preview-${templateId}-${customerId.replace(/[^A-Za-z0-9._-]/g, '_')}.html`);
  const { subject, html, text } = rendered.email;
  await writeFile(file, withPreviewHeader(html, { templateId, customerId, subject, preheader }));

  const result: PreviewResult = { templateId, customerId, file, subject, preheader, text, variables };
  printResult(result, options, (r: PreviewResult) =>
    [
      keyValueTable([
        ['template', r.templateId],
        ['customer', r.customerId],
        ['subject', r.subject],
        ['preheader', r.preheader],
        ['html', r.file],
      ]),
      '',
      '--- text part ---',
      r.text.trimEnd(),
    ].join('\n'),
  );
}

/** `--event '<json>'`: the triggering event's properties (`event.*` in templates), an object. */
function parseEventProperties(raw: string | undefined): Record<string, unknown> {
  if (raw === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new Error(`--event is not JSON (${error instanceof Error ? error.message : String(error)}); e.g. --event '{"orderId":"o-1"}'`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`--event must be a JSON object of event properties, e.g. --event '{"orderId":"o-1"}'`);
  }
  return parsed as Record<string, unknown>;
}

async function loadProfile(customerId: string): Promise<{ profile: Profile; now: Date }> {
  const status = await callLocal<LocalStatus>('status');
  const client = new DynamoDBClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: status.endpoints.dynamodb });
  try {
    const store = new DynamoProfileStore(DynamoDBDocumentClient.from(client, DOCUMENT_TRANSLATE_CONFIG), requireOutput(status.outputs, 'TableName'));
    const profile = await store.get(customerId);
    if (!profile) throw new Error(`no profile for customer "${customerId}"`);
    return { profile, now: new Date(status.now) };
  } finally {
    client.destroy();
  }
}

/**
 * The variables the dispatcher would give `template` for this profile, with placeholders for what
 * only a real send has: the signed unsubscribe and preference links, and a subscription
 * confirmation's signed link (for the categories `--event '{"categories":[...]}'` names, else every
 * category a customer may choose).
 */
export function previewVariables(profile: Profile, template: EmailTemplate, eventProperties: Record<string, unknown>, now: Date): Record<string, unknown> {
  const request = previewRequest(profile, template, eventProperties, now);
  const categories = defaultCatalog.subscriptionCategories;
  const asked = categoriesToConfirm(eventProperties.categories, categories);
  const confirm: ConfirmationVariables = {
    url: PREVIEW_CONFIRM_URL,
    hours: CONFIRMATION_LIFETIME_HOURS,
    categories: (asked.length > 0 ? asked : categoriesToConfirm(categories.map((c) => c.id), categories)).map(({ name, description }) => ({ name, description })),
  };
  return { ...templateVariables(request, defaultCatalog.settings.brandName, defaultCatalog.settings.shopUrl), unsubscribe_url: PREVIEW_UNSUBSCRIBE_URL, preferences_url: PREVIEW_UNSUBSCRIBE_URL, confirm };
}

/** A send request as the decision step would build it for this customer (the personalization part is what matters). */
function previewRequest(profile: Profile, template: EmailTemplate, eventProperties: Record<string, unknown>, now: Date): SendRequest {
  const rule = defaultCatalog.rules.find((r) => r.templateId === template.id);
  return {
    sendId: 'preview',
    customerId: profile.customerId,
    ruleId: rule?.id ?? 'preview',
    templateId: template.id,
    category: rule?.category ?? 'marketing',
    email: profile.email ?? `${profile.customerId}@preview.invalid`,
    decidedAt: now.toISOString(),
    trigger: { eventId: 'preview', type: 'preview', occurredAt: now.toISOString() },
    conditions: [],
    personalization: personalizationFrom(profile, { eventId: 'preview', type: 'preview', occurredAt: now.toISOString(), properties: eventProperties }),
  };
}

/** The preheader as mail clients show it (plain text), rendered by the same strict engine. */
async function renderPreheader(template: EmailTemplate, variables: Record<string, unknown>): Promise<string | null> {
  if (!template.preheader) return null;
  const rendered = await renderEmail({ id: template.id, subject: template.preheader, html: '-', text: '-', requires: [] }, variables);
  if (rendered.type === 'failed') throw new Error(`cannot render the preheader of ${template.id}: ${rendered.reason}`);
  return rendered.email.subject;
}

/** The rendered HTML with a visible box on top: template, customer, subject and preheader. */
function withPreviewHeader(html: string, shown: { templateId: string; customerId: string; subject: string; preheader: string | null }): string {
  const row = (label: string, value: string) => `<div><strong>${label}:</strong> ${escapeHtml(value)}</div>`;
  const header = [
    '<div style="border:1px dashed #888;background:#f5f5f5;padding:8px 12px;margin-bottom:16px;font-size:14px" data-nudge-preview>',
    row('Preview', `template ${shown.templateId} for customer ${shown.customerId}`),
    row('Subject', shown.subject),
    row('Preheader', shown.preheader ?? '(none)'),
    '</div>',
  ].join('\n');
  const body = /<body[^>]*>/i.exec(html);
  if (!body) return `${header}\n${html}`;
  const at = body.index + body[0].length;
  return `${html.slice(0, at)}\n${header}${html.slice(at)}`;
}
