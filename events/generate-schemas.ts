/**
 * Generates the public JSON Schemas of the event contract from the zod source (shared/contract):
 * events/schemas/<type>.schema.json per catalog type and custom-event.schema.json, plus the generated
 * tables in events/README.md. Run `npm run events:schemas` after changing shared/contract;
 * test/unit/contract/json-schemas.test.ts fails while the committed files are stale.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import {
  CATALOG_EVENT_TYPES,
  CustomEventDetail,
  catalogDetailSchemas,
  LineItem,
} from '../shared/contract/index.ts';

export const SCHEMAS_DIR = fileURLToPath(new URL('./schemas/', import.meta.url));
export const README_PATH = fileURLToPath(new URL('./README.md', import.meta.url));
export const CUSTOM_EVENT_SCHEMA_FILE = 'custom-event.schema.json';

type JsonSchema = Record<string, unknown>;

function toJsonSchema(schema: z.ZodType): JsonSchema {
  // `input`: what producers send (defaults make fields optional rather than required).
  const generated = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }) as JsonSchema;
  // Header keywords first, then the rest in the order zod emits them (definition order).
  const { $schema, title, description, ...rest } = generated;
  return { $schema, title, description, ...rest };
}

function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** File name -> content of every file that belongs in events/schemas. */
export function renderSchemaFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const type of CATALOG_EVENT_TYPES) {
    files.set(`${type}.schema.json`, formatJson(toJsonSchema(catalogDetailSchemas[type])));
  }
  files.set(CUSTOM_EVENT_SCHEMA_FILE, formatJson(toJsonSchema(CustomEventDetail)));
  return files;
}

// --- README tables ------------------------------------------------------------------------------

function asRecord(value: unknown): JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonSchema) : {};
}

function code(text: string): string {
  return `\`${text}\``;
}

function range(min: unknown, max: unknown, unit = ''): string {
  const hasMin = typeof min === 'number';
  const hasMax = typeof max === 'number' && max < Number.MAX_SAFE_INTEGER;
  if (hasMin && hasMax) return `${min}–${max}${unit}`;
  if (hasMin) return `≥ ${min}${unit}`;
  if (hasMax) return `≤ ${max}${unit}`;
  return '';
}

/** A JSON Schema node in a few words, e.g. `integer 0–10`, `string (1–256 chars)`. */
function describeType(node: JsonSchema): string {
  if (Array.isArray(node.enum)) return node.enum.map((value) => code(JSON.stringify(value))).join(' \\| ');
  switch (node.type) {
    case 'string': {
      if (node.format === 'email') return 'email address';
      if (node.format === 'date-time') return 'date-time with offset';
      if (typeof node.pattern === 'string' && node.pattern === '^[A-Z]{3}$') return 'currency code `[A-Z]{3}`';
      const size = range(node.minLength, node.maxLength, ' chars');
      return size ? `string (${size})` : 'string';
    }
    case 'number':
    case 'integer': {
      const bounds = range(node.minimum, node.maximum);
      return bounds ? `${node.type} ${bounds}` : String(node.type);
    }
    case 'array': {
      const items = asRecord(node.items);
      const element = asRecord(items.properties).productId ? 'line items' : describeType(items);
      const size = range(node.minItems, node.maxItems, ' items');
      return `array of ${element}${size ? ` (${size})` : ''}`;
    }
    case 'object': {
      const values = asRecord(node.additionalProperties);
      if (Object.keys(values).length > 0) return `object: key → ${describeType(values)}`;
      return 'object';
    }
    default:
      return 'any';
  }
}

function propertyTable(objectSchema: JsonSchema): string[] {
  const properties = asRecord(objectSchema.properties);
  const required = new Set(Array.isArray(objectSchema.required) ? (objectSchema.required as string[]) : []);
  const rows = ['| property | type | required | meaning |', '|---|---|---|---|'];
  for (const [name, raw] of Object.entries(properties)) {
    const node = asRecord(raw);
    const notes = [typeof node.description === 'string' ? node.description : ''];
    if (node.default !== undefined) notes.push(`default ${code(JSON.stringify(node.default))}`);
    const meaning = notes.filter((note) => note !== '').join('; ');
    rows.push(`| ${code(name)} | ${describeType(node)} | ${required.has(name) ? 'yes' : ''} | ${meaning} |`);
  }
  return rows;
}

function renderEnvelopeTable(): string {
  const custom = toJsonSchema(CustomEventDetail);
  return propertyTable(custom).join('\n');
}

function renderLineItemTable(): string {
  return propertyTable(toJsonSchema(LineItem)).join('\n');
}

function renderPropertiesTables(): string {
  const sections: string[] = [];
  for (const type of CATALOG_EVENT_TYPES) {
    const detail = toJsonSchema(catalogDetailSchemas[type]);
    const properties = asRecord(asRecord(detail.properties).properties);
    const detailRequired = Array.isArray(detail.required) ? (detail.required as string[]) : [];
    const mustSend = detailRequired.includes('properties') ? 'required' : 'optional (default `{}`)';
    const description = typeof properties.description === 'string' ? properties.description : '';
    sections.push(
      [
        `#### ${code(type)}`,
        '',
        `${description}. \`properties\` ${mustSend}; other properties pass through. Schema: [schemas/${type}.schema.json](schemas/${type}.schema.json)`,
        '',
        ...propertyTable(properties),
      ].join('\n'),
    );
  }
  return sections.join('\n\n');
}

const GENERATED_BLOCKS: Record<string, () => string> = {
  envelope: renderEnvelopeTable,
  'line-item': renderLineItemTable,
  properties: renderPropertiesTables,
};

/** Replaces every `<!-- generated:NAME -->...<!-- /generated:NAME -->` block of the README. */
export function renderReadme(readme: string): string {
  let result = readme;
  for (const [name, render] of Object.entries(GENERATED_BLOCKS)) {
    const start = `<!-- generated:${name} (npm run events:schemas) -->`;
    const end = `<!-- /generated:${name} -->`;
    const from = result.indexOf(start);
    const to = result.indexOf(end);
    if (from < 0 || to < from) throw new Error(`events/README.md lacks the block ${start} ... ${end}`);
    result = `${result.slice(0, from + start.length)}\n${render()}\n${result.slice(to)}`;
  }
  return result;
}

function main(): void {
  const files = renderSchemaFiles();
  for (const existing of readdirSync(SCHEMAS_DIR)) {
    if (!files.has(existing)) rmSync(`${SCHEMAS_DIR}${existing}`);
  }
  for (const [name, content] of files) writeFileSync(`${SCHEMAS_DIR}${name}`, content);
  writeFileSync(README_PATH, renderReadme(readFileSync(README_PATH, 'utf8')));
  console.log(`wrote ${files.size} schemas to events/schemas and the tables of events/README.md`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
