/**
 * EventBridge event-pattern matcher for the local runtime.
 *
 * Hand-written because no maintained npm library implements EventBridge pattern matching. The closest,
 * serverless-offline-aws-eventbridge's matcher, got only 16 of 24 probe cases right: no `wildcard`, no `cidr`,
 * `$or` ignored, `numeric` matching strings, `anything-but` + `prefix` wrong. AWS's own matcher
 * (aws/event-ruler) is Java.
 *
 * Semantics follow the AWS docs ("Event patterns", "Content filtering in Amazon EventBridge event patterns",
 * "Comparison operators"); where the docs are silent we follow aws/event-ruler, the engine behind EventBridge:
 * - A pattern leaf is an array of conditions that OR together; every key of an object must match (AND).
 * - An event array matches if any of its elements matches; nested objects inside arrays must match within
 *   one element (event-ruler's "array-consistent" matching).
 * - Exact values compare by JSON type and value: 300 matches 300.0, "300" never matches 300, null only null.
 * - Operators only test leaf values (strings, numbers, booleans, null). A missing field, or one holding an
 *   object, has no leaf values, so only `{"exists": false}` can match it; `anything-but` needs a value.
 */
import { BlockList, isIP } from 'node:net';

export type EventPattern = Record<string, unknown>;

/** A malformed pattern; the message names the offending path and operator. */
export class InvalidEventPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventPatternError';
  }
}

type JsonObject = Record<string, unknown>;
type Leaf = string | number | boolean | null;

const OR_KEY = '$or';
const OPERATORS = new Set([
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'cidr',
  'exists',
]);
/** The forms `anything-but` accepts as an object, each with a string or a list of strings. */
const ANYTHING_BUT_OPERATORS = new Set(['prefix', 'suffix', 'equals-ignore-case', 'wildcard']);
const LOWER_BOUNDS = new Set(['>', '>=']);
const UPPER_BOUNDS = new Set(['<', '<=']);

// ---------------------------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------------------------

/** Throws InvalidEventPatternError (name set, message says which key/operator is wrong) for a malformed pattern. */
export function validateEventPattern(pattern: unknown): EventPattern {
  if (!isJsonObject(pattern)) throw new InvalidEventPatternError('Event pattern must be a JSON object');
  validateObject(pattern, '', false);
  return pattern;
}

function validateObject(node: JsonObject, path: string, insideOr: boolean): void {
  const keys = Object.keys(node);
  if (keys.length === 0) fail(path, 'empty objects are not allowed');
  for (const key of keys) {
    const at = joinPath(path, key);
    const value = node[key];
    if (key.includes('.')) {
      // Divergence guard: EventBridge flattens events to dotted paths, so it may read "detail.x" as a path; this matcher does not.
      fail(at, `a key with a dot is read differently by EventBridge and by the local runtime; nest it instead (${JSON.stringify(key.split('.')[0])}: { ${JSON.stringify(key.split('.').slice(1).join('.'))}: [...] })`);
    }
    if (key === OR_KEY) {
      validateOr(value, at);
    } else if (insideOr && OPERATORS.has(key)) {
      // event-ruler reserves operator names inside $or so `{"$or": [{"prefix": ...}]}` can't be misread.
      fail(at, `"${key}" is an operator name and cannot be used as a field name inside $or`);
    } else if (Array.isArray(value)) {
      validateConditions(value, at);
    } else if (isJsonObject(value)) {
      validateObject(value, at, insideOr);
    } else {
      fail(at, 'must be an array of match values or a nested object');
    }
  }
}

function validateOr(value: unknown, at: string): void {
  // event-ruler requires at least two branches; one branch would just be an AND.
  if (!Array.isArray(value) || value.length < 2) fail(at, '$or must be an array of at least 2 objects');
  value.forEach((branch, index) => {
    const branchPath = `${at}[${index}]`;
    if (!isJsonObject(branch)) fail(branchPath, '$or must contain only objects');
    validateObject(branch, branchPath, true);
  });
}

function validateConditions(conditions: unknown[], at: string): void {
  if (conditions.length === 0) fail(at, 'empty arrays are not allowed');
  for (const condition of conditions) {
    if (isLeaf(condition)) {
      if (typeof condition === 'number' && !Number.isFinite(condition)) fail(at, 'numbers must be finite');
      if (typeof condition === 'number') requireSameNumberEverywhere(condition, at);
    } else if (isJsonObject(condition)) {
      validateOperator(condition, at);
    } else {
      fail(at, 'match values must be strings, numbers, booleans, null or operator objects');
    }
  }
}

function validateOperator(condition: JsonObject, at: string): void {
  const keys = Object.keys(condition);
  if (keys.length !== 1) fail(at, `an operator object must have exactly one key, got ${describeKeys(keys)}`);
  const operator = keys[0] as string;
  const argument = condition[operator];
  switch (operator) {
    case 'prefix':
    case 'suffix':
      return validateAffix(operator, argument, at);
    case 'equals-ignore-case':
      requireString(argument, at, operator);
      return requireAsciiForCaseFolding(argument, at, operator);
    case 'wildcard':
      requireString(argument, at, operator);
      compileWildcard(argument, at);
      return;
    case 'anything-but':
      return validateAnythingBut(argument, at);
    case 'numeric':
      parseNumeric(argument, at);
      return;
    case 'cidr':
      requireString(argument, at, operator);
      subnetFor(argument, at);
      return;
    case 'exists':
      if (typeof argument !== 'boolean') fail(at, 'exists must be true or false');
      return;
    default:
      fail(at, `unknown operator "${operator}" (expected one of ${[...OPERATORS].join(', ')})`);
  }
}

/** `prefix`/`suffix` take a string or `{"equals-ignore-case": string}`. */
function validateAffix(operator: string, argument: unknown, at: string): void {
  if (typeof argument === 'string') return;
  if (isJsonObject(argument)) {
    const keys = Object.keys(argument);
    if (keys.length !== 1 || keys[0] !== 'equals-ignore-case') {
      fail(at, `${operator} only accepts a string or {"equals-ignore-case": string}, got ${describeKeys(keys)}`);
    }
    requireString(argument['equals-ignore-case'], at, `${operator}.equals-ignore-case`);
    return requireAsciiForCaseFolding(argument['equals-ignore-case'], at, `${operator}.equals-ignore-case`);
  }
  fail(at, `${operator} must be a string or {"equals-ignore-case": string}`);
}

function validateAnythingBut(argument: unknown, at: string): void {
  if (typeof argument === 'string') return;
  if (typeof argument === 'number') {
    if (!Number.isFinite(argument)) fail(at, 'anything-but numbers must be finite');
    return;
  }
  if (Array.isArray(argument)) return validateAnythingButList(argument, at);
  if (!isJsonObject(argument)) fail(at, 'anything-but must be a string, a number, a list, or an operator object');
  const keys = Object.keys(argument);
  const operator = keys[0];
  if (keys.length !== 1 || operator === undefined || !ANYTHING_BUT_OPERATORS.has(operator)) {
    fail(at, `anything-but only supports ${[...ANYTHING_BUT_OPERATORS].join(', ')}, got ${describeKeys(keys)}`);
  }
  const values = toList(argument[operator]);
  const label = `anything-but.${operator}`;
  if (values.length === 0) fail(at, `${label} list must not be empty`);
  for (const value of values) {
    requireString(value, at, label);
    // event-ruler: an empty anything-but prefix/suffix would exclude every string.
    if ((operator === 'prefix' || operator === 'suffix') && value === '') fail(at, `${label} must not be empty`);
    if (operator === 'wildcard') compileWildcard(value, at);
    if (operator === 'equals-ignore-case') requireAsciiForCaseFolding(value as string, at, label);
  }
}

/** The docs allow lists that contain only strings or only numbers. */
function validateAnythingButList(values: unknown[], at: string): void {
  if (values.length === 0) fail(at, 'anything-but list must not be empty');
  for (const value of values) if (typeof value === 'number') requireSameNumberEverywhere(value, at);
  const allStrings = values.every((value) => typeof value === 'string');
  const allNumbers = values.every((value) => typeof value === 'number' && Number.isFinite(value));
  if (!allStrings && !allNumbers) fail(at, 'anything-but list must contain only strings or only numbers');
}

// ---------------------------------------------------------------------------------------------------------------
// Divergence guards: patterns AWS accepts but this matcher would evaluate differently are refused
// here, so a rule can never behave one way locally and another in AWS (docs/local-runtime.md).
// ---------------------------------------------------------------------------------------------------------------

/** EventBridge's numeric matching range (docs: "Numeric matching", -5.0e9 to +5.0e9). */
const NUMERIC_LIMIT = 5e9;

/** A number a double holds exactly as written (a safe integer, or a decimal within the numeric range). */
function requireSameNumberEverywhere(value: number, at: string): void {
  if (Number.isInteger(value) ? !Number.isSafeInteger(value) : Math.abs(value) > NUMERIC_LIMIT) {
    fail(at, `the number ${value} is beyond double precision, where EventBridge and the local runtime compare differently; match it as a string`);
  }
}

/** Case folding outside ASCII differs (Unicode special cases); an ASCII argument folds the same everywhere. */
function requireAsciiForCaseFolding(value: string, at: string, label: string): void {
  if (/[^\x00-\x7f]/.test(value)) fail(at, `${label} "${value}" has non-ASCII letters, whose case folding differs between EventBridge and the local runtime; match exact values instead`);
}

// ---------------------------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------------------------

/** True when `event` (a full EventBridge event object: version, id, detail-type, source, account, time, region, resources, detail) matches. */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  // A malformed pattern must fail loudly rather than silently match nothing (or everything).
  validateEventPattern(pattern);
  return matchObject(pattern, event);
}

/** Every key must match (AND); `$or` branches are each combined with the sibling keys. */
function matchObject(pattern: JsonObject, node: unknown): boolean {
  const fields = isJsonObject(node) ? node : {};
  return Object.entries(pattern).every(([key, subPattern]) => {
    if (key === OR_KEY) return (subPattern as JsonObject[]).some((branch) => matchObject(branch, node));
    const value = fields[key];
    if (Array.isArray(subPattern)) return matchConditions(subPattern, leafValues(value));
    return matchNested(subPattern as JsonObject, value);
  });
}

/** A nested pattern matches a nested object, or any object element of an event array. */
function matchNested(pattern: JsonObject, value: unknown): boolean {
  const candidates = flatten(value).filter(isJsonObject);
  // With no object to descend into every field below is missing, which `exists: false` still matches.
  if (candidates.length === 0) return matchObject(pattern, undefined);
  return candidates.some((candidate) => matchObject(pattern, candidate));
}

/** The leaf values of a field: itself, or the elements of an array (nested arrays flattened). */
function leafValues(value: unknown): Leaf[] {
  if (value === undefined) return [];
  return flatten(value).filter(isLeaf);
}

function matchConditions(conditions: unknown[], leaves: Leaf[]): boolean {
  return conditions.some((condition) => {
    if (!isJsonObject(condition)) return leaves.some((leaf) => exactMatch(condition as Leaf, leaf));
    const [operator, argument] = Object.entries(condition)[0] as [string, unknown];
    if (operator === 'exists') return argument === (leaves.length > 0);
    return leaves.some((leaf) => matchOperator(operator, argument, leaf));
  });
}

/** Strict equality is JSON equality here: numbers compare by value, and types never coerce. */
function exactMatch(expected: Leaf, actual: Leaf): boolean {
  return expected === actual;
}

function matchOperator(operator: string, argument: unknown, leaf: Leaf): boolean {
  switch (operator) {
    case 'prefix':
      return typeof leaf === 'string' && matchPrefix(argument, leaf);
    case 'suffix':
      return typeof leaf === 'string' && matchSuffix(argument, leaf);
    case 'equals-ignore-case':
      return typeof leaf === 'string' && foldCase(leaf) === foldCase(argument as string);
    case 'wildcard':
      return typeof leaf === 'string' && compileWildcard(argument as string, '').test(leaf);
    case 'anything-but':
      return !isExcluded(argument, leaf);
    case 'numeric':
      return typeof leaf === 'number' && matchNumeric(argument, leaf);
    case 'cidr':
      return typeof leaf === 'string' && matchCidr(argument as string, leaf);
    default:
      return false; // unreachable after validation
  }
}

function matchPrefix(argument: unknown, value: string): boolean {
  if (typeof argument === 'string') return value.startsWith(argument);
  return foldCase(value).startsWith(foldCase(ignoreCaseArgument(argument)));
}

function matchSuffix(argument: unknown, value: string): boolean {
  if (typeof argument === 'string') return value.endsWith(argument);
  return foldCase(value).endsWith(foldCase(ignoreCaseArgument(argument)));
}

function ignoreCaseArgument(argument: unknown): string {
  return (argument as JsonObject)['equals-ignore-case'] as string;
}

/**
 * Whether `anything-but` rules the leaf out. Like event-ruler, a value of another type is never excluded:
 * `{"anything-but": "x"}` matches 5, and `{"anything-but": {"prefix": "x"}}` matches any number.
 */
function isExcluded(argument: unknown, leaf: Leaf): boolean {
  if (Array.isArray(argument)) return argument.some((excluded) => exactMatch(excluded as Leaf, leaf));
  if (!isJsonObject(argument)) return exactMatch(argument as Leaf, leaf);
  if (typeof leaf !== 'string') return false;
  const [operator, values] = Object.entries(argument)[0] as [string, unknown];
  return toList(values).some((value) => matchOperator(operator, value, leaf));
}

type NumericBound = { operator: string; value: number };

function matchNumeric(argument: unknown, value: number): boolean {
  return parseNumeric(argument, '').every((bound) => compare(bound, value));
}

function compare({ operator, value: bound }: NumericBound, value: number): boolean {
  switch (operator) {
    case '=':
      return value === bound;
    case '>':
      return value > bound;
    case '>=':
      return value >= bound;
    case '<':
      return value < bound;
    default:
      return value <= bound;
  }
}

/** `["=", n]`, one bound (`[">", n]`), or a lower bound followed by an upper bound (`[">", 0, "<=", 5]`). */
function parseNumeric(argument: unknown, at: string): NumericBound[] {
  if (!Array.isArray(argument)) fail(at, 'numeric must be an array like [">", 0, "<=", 5]');
  if (argument.length !== 2 && argument.length !== 4) {
    fail(at, 'numeric must have one comparison ["op", n] or a range [">", n, "<", m]');
  }
  const bounds: NumericBound[] = [];
  for (let index = 0; index < argument.length; index += 2) {
    const operator: unknown = argument[index];
    const value: unknown = argument[index + 1];
    if (typeof operator !== 'string' || !['=', ...LOWER_BOUNDS, ...UPPER_BOUNDS].includes(operator)) {
      fail(at, `numeric has bad operator ${JSON.stringify(operator)} (expected =, <, <=, >, >=)`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(at, `numeric value for "${operator}" must be a number`);
    if (Math.abs(value) > NUMERIC_LIMIT || Math.round(value * 1e6) / 1e6 !== value) {
      fail(at, `numeric ${operator} ${value}: EventBridge compares numbers from -5e9 to 5e9 with at most six decimal places; beyond that it and the local runtime differ`);
    }
    bounds.push({ operator, value });
  }
  const [lower, upper] = bounds;
  if (upper !== undefined && lower !== undefined) validateRange(lower, upper, at);
  return bounds;
}

function validateRange(lower: NumericBound, upper: NumericBound, at: string): void {
  if (!LOWER_BOUNDS.has(lower.operator) || !UPPER_BOUNDS.has(upper.operator)) {
    fail(at, 'a numeric range must be a lower bound (> or >=) followed by an upper bound (< or <=)');
  }
  if (lower.value >= upper.value) fail(at, 'numeric range bottom must be less than top');
}

// ---------------------------------------------------------------------------------------------------------------
// Wildcards and CIDR blocks, compiled once per distinct pattern string
// ---------------------------------------------------------------------------------------------------------------

const wildcardCache = new Map<string, RegExp>();

/**
 * `*` matches any run of characters (including none). `\*` is a literal star and `\\` a literal backslash;
 * the docs (and event-ruler) reject consecutive `**` and any other backslash escape.
 */
function compileWildcard(pattern: string, at: string): RegExp {
  const cached = wildcardCache.get(pattern);
  if (cached) return cached;
  let source = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index] as string;
    if (char === '*') {
      if (pattern[index + 1] === '*') fail(at, `wildcard "${pattern}" has consecutive wildcard characters`);
      source += '.*';
    } else if (char === '\\') {
      const next = pattern[index + 1];
      if (next !== '*' && next !== '\\') fail(at, `wildcard "${pattern}" has an invalid escape at position ${index}`);
      source += escapeRegExp(next);
      index++;
    } else {
      source += escapeRegExp(char);
    }
  }
  const regExp = new RegExp(`^${source}$`, 's');
  wildcardCache.set(pattern, regExp);
  return regExp;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

type Subnet = { family: 'ipv4' | 'ipv6'; list: BlockList };
const subnetCache = new Map<string, Subnet>();

/** node:net's BlockList does the prefix arithmetic for both families (and IPv4-mapped IPv6 addresses). */
function subnetFor(cidr: string, at: string): Subnet {
  const cached = subnetCache.get(cidr);
  if (cached) return cached;
  const match = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
  const address = match?.[1] ?? '';
  const version = isIP(address);
  if (!match || version === 0) fail(at, `cidr "${cidr}" must look like 10.0.0.0/24 or 2001:db8::/64`);
  const prefix = Number(match[2]);
  const maxPrefix = version === 4 ? 32 : 128;
  if (prefix > maxPrefix) fail(at, `cidr "${cidr}" prefix length must be at most ${maxPrefix}`);
  const family = version === 4 ? 'ipv4' : 'ipv6';
  // Divergence guard: an IPv4 address written inside IPv6 may be read differently by Node and EventBridge
  // (leading zeros in IPv4 are already refused above: Node does not read them as an address).
  if (version === 6 && address.includes('.')) {
    fail(at, `cidr "${cidr}" uses an unusual address spelling that EventBridge and the local runtime may read differently; write it in canonical form`);
  }
  const list = new BlockList();
  list.addSubnet(address, prefix, family);
  const subnet: Subnet = { family, list };
  subnetCache.set(cidr, subnet);
  return subnet;
}

function matchCidr(cidr: string, value: string): boolean {
  const version = isIP(value);
  if (version === 0) return false;
  return subnetFor(cidr, '').list.check(value, version === 4 ? 'ipv4' : 'ipv6');
}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------------------------

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isLeaf(value: unknown): value is Leaf {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function flatten(value: unknown): unknown[] {
  return Array.isArray(value) ? value.flatMap(flatten) : [value];
}

function toList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function foldCase(text: string): string {
  return text.toLowerCase();
}

function requireString(value: unknown, at: string, label: string): asserts value is string {
  if (typeof value !== 'string') fail(at, `${label} must be a string`);
}

function joinPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function describeKeys(keys: string[]): string {
  return keys.length === 0 ? 'no keys' : keys.map((key) => `"${key}"`).join(', ');
}

function fail(at: string, message: string): never {
  const where = at === '' ? 'event pattern' : `"${at}"`;
  throw new InvalidEventPatternError(`Invalid event pattern at ${where}: ${message}`);
}
