import { z } from 'zod';
import { EmailTemplate } from '../domain/email-template.ts';
import { TriggerRule } from '../domain/trigger-rules.ts';
import { rules } from './rules.ts';
import { templates } from './templates.ts';

/**
 * The catalog: everything a user changes (rules, templates, and later segments, stages, sequences)
 * in one typed, validated place that both the CDK app and the handlers import.
 */
export const CatalogSettings = z
  .object({
    brandName: z.string().min(1),
    /** opt_in: marketing mail needs an explicit subscription (GDPR-safe default); opt_out: only an unsubscribe stops it. */
    consentMode: z.enum(['opt_in', 'opt_out']),
  })
  .strict();

export const Catalog = z
  .object({
    settings: CatalogSettings,
    rules: z.array(TriggerRule),
    templates: z.array(EmailTemplate),
  })
  .superRefine((catalog, ctx) => {
    const templateIds = new Set(catalog.templates.map((t) => t.id));
    reportDuplicates(catalog.rules.map((r) => r.id), ['rules'], 'rule', ctx);
    reportDuplicates(catalog.templates.map((t) => t.id), ['templates'], 'template', ctx);
    catalog.rules.forEach((rule, index) => {
      if (!templateIds.has(rule.templateId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'templateId'],
          message: `rule ${rule.id} uses template "${rule.templateId}", which the catalog does not define`,
        });
      }
    });
  });
export type Catalog = z.infer<typeof Catalog>;
export type CatalogInput = z.input<typeof Catalog>;

function reportDuplicates(ids: string[], path: (string | number)[], what: string, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) ctx.addIssue({ code: 'custom', path, message: `duplicate ${what} id "${id}"` });
    seen.add(id);
  }
}

export class InvalidCatalogError extends Error {
  override name = 'InvalidCatalogError';
}

/** Validates a catalog; the message lists every problem with its path (e.g. rules.1.cooldownHours). */
export function loadCatalog(input: CatalogInput): Catalog {
  const parsed = Catalog.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `  - ${issue.path.join('.') || '(catalog)'}: ${issue.message}`);
  throw new InvalidCatalogError(`The catalog is invalid:\n${problems.join('\n')}`);
}

export const defaultCatalogInput: CatalogInput = {
  settings: { brandName: 'Nudge Demo Shop', consentMode: 'opt_in' },
  rules,
  templates,
};

/** The shipped catalog, validated when first imported: a bad rule fails tests, synth and cold start. */
export const defaultCatalog: Catalog = loadCatalog(defaultCatalogInput);
