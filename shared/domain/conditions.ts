import * as z from 'zod';
import { isPersonalPath, PERSONAL_MARKER } from './personal-data.ts';
import type { FactValue } from './profile-facts.ts';

/**
 * The condition language of trigger rules: a field path, an operator, an expected value.
 * Every evaluation returns the actual value next to the expected one, so a decision can always be
 * explained afterwards ("why did this customer get this email").
 *
 * Fields live in three namespaces:
 * - `event.<path>`: the triggering event's envelope and properties (`event.type`, `event.device`,
 *   `event.properties.cartValue`);
 * - `profile.<path>`: the stored profile after the event (`profile.email`, `profile.lifecycleStage`,
 *   `profile.segments.<id>` (entered-at epoch seconds while a member), `profile.scores.engagement`);
 * - `calculated.<metric>`: a metric computed from the profile at decision time, any name of
 *   METRIC_NAMES (`calculated.days_since_last_purchase`, `calculated.engagement_level`).
 */
export const ConditionOperator = z.enum([
  'equals',
  'not_equals',
  'greater_than',
  'less_than',
  'at_least',
  'at_most',
  'contains',
  'in',
  'not_in',
  'exists',
  'in_range',
  'pattern_match',
  'threshold_exceeded',
]);
export type ConditionOperator = z.infer<typeof ConditionOperator>;

const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const FIELD_PATH = new RegExp(`^(event|profile)(\\.${NAME})+$|^calculated\\.${NAME}$`);
const NUMERIC_OPERATORS: ReadonlySet<ConditionOperator> = new Set(['greater_than', 'less_than', 'at_least', 'at_most']);

const FiniteNumber = z.number().refine(Number.isFinite);

/** `in_range`: both bounds inclusive. */
export const RangeValue = z
  .object({ min: FiniteNumber, max: FiniteNumber })
  .strict()
  .refine((range) => range.min <= range.max, 'min must not be above max');
export type RangeValue = z.infer<typeof RangeValue>;

/** `threshold_exceeded`: passes when actual - threshold > by (by defaults to 0). */
export const ThresholdValue = z.object({ threshold: FiniteNumber, by: FiniteNumber.refine((by) => by >= 0).optional() }).strict();
export type ThresholdValue = z.infer<typeof ThresholdValue>;

export const Condition = z
  .object({
    field: z.string().regex(FIELD_PATH, 'must be event.<path>, profile.<path> or calculated.<metric>'),
    op: ConditionOperator,
    value: z.unknown().optional(),
  })
  .strict()
  .superRefine((condition, ctx) => {
    const { op, value } = condition;
    const problem = (message: string) => ctx.addIssue({ code: 'custom', path: ['value'], message });
    if (NUMERIC_OPERATORS.has(op) && (typeof value !== 'number' || !Number.isFinite(value))) {
      problem(`operator ${op} needs a finite number`);
    }
    if ((op === 'in' || op === 'not_in') && !Array.isArray(value)) problem(`operator ${op} needs an array`);
    if (op === 'exists' && typeof value !== 'boolean') problem('operator exists needs true or false');
    if ((op === 'equals' || op === 'not_equals' || op === 'contains') && value === undefined) {
      problem(`operator ${op} needs a value`);
    }
    // Comparison is by value for strings, numbers, booleans and null only: an object or array could never be equal.
    if ((op === 'equals' || op === 'not_equals' || op === 'contains') && value !== undefined && !isScalar(value)) {
      problem(`operator ${op} compares a string, number, boolean or null; got ${Array.isArray(value) ? 'an array' : 'an object'}`);
    }
    if ((op === 'in' || op === 'not_in') && Array.isArray(value) && !value.every(isScalar)) problem(`operator ${op} needs an array of strings, numbers, booleans or null`);
    if (op === 'in_range' && !RangeValue.safeParse(value).success) {
      problem('operator in_range needs { min, max }: two finite numbers, min <= max');
    }
    if (op === 'threshold_exceeded' && !ThresholdValue.safeParse(value).success) {
      problem('operator threshold_exceeded needs { threshold, by? }: finite numbers, by >= 0');
    }
    if (op === 'pattern_match') {
      const refused = typeof value === 'string' ? patternProblem(value) : 'operator pattern_match needs a regular expression source string';
      if (refused !== undefined) problem(refused);
    }
  });
export type Condition = z.infer<typeof Condition>;

export type ConditionGroup = { all: ConditionNode[] } | { any: ConditionNode[] };
export type ConditionNode = Condition | ConditionGroup;

export const ConditionGroup: z.ZodType<ConditionGroup> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(ConditionNode).min(1) }).strict(),
    z.object({ any: z.array(ConditionNode).min(1) }).strict(),
  ]),
);
export const ConditionNode: z.ZodType<ConditionNode> = z.lazy(() => z.union([Condition, ConditionGroup]));

export type ConditionResult = {
  field: string;
  op: ConditionOperator;
  expected: unknown;
  actual: unknown;
  passed: boolean;
};

/** What a condition's field path is read from. */
export type ConditionScope = {
  event: unknown;
  profile: unknown;
  /** Reads `calculated.<metric>` (ProfileFacts.metric); without it every calculated field is undefined. */
  calculated?: (metric: string) => FactValue | undefined;
};

export function evaluateConditionGroup(
  group: ConditionGroup,
  scope: ConditionScope,
): { passed: boolean; results: ConditionResult[] } {
  const results: ConditionResult[] = [];
  const passed = evaluateNode(group, scope, results);
  return { passed, results };
}

function evaluateNode(node: ConditionNode, scope: ConditionScope, results: ConditionResult[]): boolean {
  if ('all' in node) {
    // Evaluate every child (no short-circuit) so the explanation lists every condition.
    return node.all.map((child) => evaluateNode(child, scope, results)).every(Boolean);
  }
  if ('any' in node) {
    return node.any.map((child) => evaluateNode(child, scope, results)).some(Boolean);
  }
  const result = evaluateCondition(node, scope);
  results.push(result);
  return result.passed;
}

/**
 * The result keeps the actual value for the audit trail, except for a personal field (the address,
 * a name, a phone: personal-data.ts): decision and send records outlive the profile's data and are
 * read by operators, so they get a marker that says the value was there, never the value.
 */
export function evaluateCondition(condition: Condition, scope: ConditionScope): ConditionResult {
  const actual = readPath(scope, condition.field);
  return {
    field: condition.field,
    op: condition.op,
    expected: condition.value,
    actual: actual !== undefined && actual !== null && isPersonalPath(condition.field) ? PERSONAL_MARKER : actual,
    passed: compare(condition.op, actual, condition.value),
  };
}

/** Every leaf condition of a tree with its path inside the tree (`['all', 0, 'any', 1]`), for messages. */
export function conditionsOf(node: ConditionNode, path: ReadonlyArray<string | number> = []): Array<{ condition: Condition; path: Array<string | number> }> {
  if ('all' in node) return node.all.flatMap((child, index) => conditionsOf(child, [...path, 'all', index]));
  if ('any' in node) return node.any.flatMap((child, index) => conditionsOf(child, [...path, 'any', index]));
  return [{ condition: node, path: [...path] }];
}

/** The metric a `calculated.<metric>` field reads, or undefined for event and profile fields. */
export function calculatedMetricOf(field: string): string | undefined {
  return field.startsWith('calculated.') ? field.slice('calculated.'.length) : undefined;
}

function compare(op: ConditionOperator, actual: unknown, expected: unknown): boolean {
  switch (op) {
    case 'exists':
      return (actual !== undefined && actual !== null) === expected;
    case 'equals':
      return isEqual(actual, expected);
    case 'not_equals':
      return actual !== undefined && !isEqual(actual, expected);
    case 'greater_than':
      return typeof actual === 'number' && actual > (expected as number);
    case 'less_than':
      return typeof actual === 'number' && actual < (expected as number);
    case 'at_least':
      return typeof actual === 'number' && actual >= (expected as number);
    case 'at_most':
      return typeof actual === 'number' && actual <= (expected as number);
    case 'contains':
      if (typeof actual === 'string' && typeof expected === 'string') return actual.includes(expected);
      return Array.isArray(actual) && actual.some((item) => isEqual(item, expected));
    case 'in':
      return Array.isArray(expected) && expected.some((item) => isEqual(actual, item));
    case 'not_in':
      // Like not_equals: a missing value is not "outside the list", it is unknown.
      return actual !== undefined && Array.isArray(expected) && !expected.some((item) => isEqual(actual, item));
    case 'in_range': {
      const range = RangeValue.safeParse(expected);
      return range.success && typeof actual === 'number' && actual >= range.data.min && actual <= range.data.max;
    }
    case 'threshold_exceeded': {
      const limit = ThresholdValue.safeParse(expected);
      return limit.success && typeof actual === 'number' && exceeds(actual, limit.data.threshold, limit.data.by ?? 0);
    }
    case 'pattern_match':
      return typeof actual === 'string' && typeof expected === 'string' && matchesPattern(expected, actual);
  }
}

/**
 * `actual - threshold > by`, where a margin within a billionth (relative) counts as none: in binary
 * floating point 0.8 - 0.7 is 0.10000000000000009, and 0.8 must not "exceed 0.7 by more than 0.1".
 */
function exceeds(actual: number, threshold: number, by: number): boolean {
  if (!Number.isFinite(actual)) return false;
  // A few units in the last place of the largest operand: absorbs rounding, never a real margin
  // (for epoch seconds around 1.7e9 the tolerance is ~3e-6, far below one second).
  return actual - threshold - by > 8 * Number.EPSILON * Math.max(1, Math.abs(actual), Math.abs(threshold), Math.abs(by));
}

function isScalar(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function isEqual(a: unknown, b: unknown): boolean {
  return a === b;
}

/** Reads `event.properties.cartValue` style paths (own properties only); a missing step yields undefined. */
export function readPath(scope: ConditionScope, path: string): unknown {
  const [root, ...keys] = path.split('.');
  if (root === 'calculated') return keys.length === 1 && scope.calculated ? scope.calculated(keys[0]!) : undefined;
  let current: unknown = root === 'event' ? scope.event : root === 'profile' ? scope.profile : undefined;
  for (const key of keys) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

// --- pattern_match guard ----------------------------------------------------------------------

/** Longest pattern_match source the catalog accepts. */
export const MAX_PATTERN_LENGTH = 200;
/** Longest string pattern_match tests; a longer actual value does not match. */
export const MAX_PATTERN_INPUT_LENGTH = 1_000;
/** Most ways a pattern may have to match at one position (see patternProblem). */
export const MAX_PATTERN_WAYS = 10_000;

/**
 * Why a pattern_match source is refused, or undefined when it is safe to run on event data.
 *
 * Why a guard at all: JavaScript regular expressions backtrack, have no time limit, and run on the
 * ingest Lambda's only thread, so one unlucky pattern on one long property stalls the invocation
 * until it times out, and every retry of that event stalls again. Patterns come
 * from the catalog, the text from producers' events; the guard runs when the catalog is loaded, so
 * a dangerous pattern fails tests and synth instead of production. It refuses:
 * - sources over MAX_PATTERN_LENGTH characters, and sources that do not compile (flag `u`, the
 *   strict syntax, so a typo is an error and not a literal);
 * - backreferences (`\1`, `\k<name>`): matching them is NP-hard in general;
 * - nested quantifiers (`(a+)+`, `(a*)*`, `(\w+\s?)*`) and repeated groups with alternatives
 *   (`(a|a)*`, `(a|ab)+`): the shapes that backtrack exponentially (2^n steps for n characters);
 * - more than MAX_PATTERN_WAYS ways to match at one position, counted as the product of the
 *   quantifiers' ranges with an unbounded one counting MAX_PATTERN_INPUT_LENGTH: several unbounded
 *   quantifiers in a row backtrack polynomially (`.*.*x` takes ~0.6 s on 1,000 characters,
 *   `.*.*.*x` minutes). One unbounded quantifier plus a few small ranges passes.
 * At evaluation the input is capped at MAX_PATTERN_INPUT_LENGTH characters (longer values do not
 * match): with the checks above that bounds the work to ~10^7 backtracking steps (measured: about
 * 60 ms at worst, `\w{1,100}\d{1,99}x` on 1,000 digits), whatever producers send. Conservative by
 * design: a few harmless shapes such as `(ab+c)+` are refused too; the message says how to rewrite them.
 * No flags other than `u`: write `[Gg]mail` for case-insensitive parts.
 */
export function patternProblem(source: string): string | undefined {
  if (source.length === 0) return 'pattern_match needs a non-empty pattern';
  if (source.length > MAX_PATTERN_LENGTH) return `pattern_match patterns are at most ${MAX_PATTERN_LENGTH} characters (this one has ${source.length})`;
  try {
    new RegExp(source, 'u');
  } catch (error) {
    return `pattern_match: /${source}/ is not a valid regular expression (${error instanceof Error ? error.message : String(error)})`;
  }
  try {
    const ways = analysePattern(source).ways;
    if (ways > MAX_PATTERN_WAYS) {
      return (
        `pattern_match refuses /${source}/: it has ${formatWays(ways)} ways to match at each position ` +
        `(its quantifiers' ranges multiplied, an unbounded one counting ${MAX_PATTERN_INPUT_LENGTH}; at most ${MAX_PATTERN_WAYS.toLocaleString('en-US')} allowed), ` +
        'and several wide quantifiers (as in .*.*) backtrack polynomially: keep one unbounded quantifier and narrow the others, e.g. {1,10}'
      );
    }
    return undefined;
  } catch (error) {
    if (error instanceof PatternRefused) return `pattern_match refuses /${source}/: ${error.message}`;
    throw error;
  }
}

function formatWays(ways: number): string {
  return ways > 1e12 ? 'more than 10^12' : Math.round(ways).toLocaleString('en-US');
}

class PatternRefused extends Error {
  override name = 'PatternRefused';
}

type PatternShape = { ways: number; quantified: boolean; alternation: boolean };
const SINGLE: PatternShape = { ways: 1, quantified: false, alternation: false };

/**
 * A recursive-descent walk over a source that already compiles with flag `u` (so the syntax is
 * known to be valid): ways to match, and whether a part holds a variable quantifier or alternatives.
 */
function analysePattern(source: string): PatternShape {
  let i = 0;

  const alternation = (): PatternShape => {
    const branches = [sequence()];
    while (source[i] === '|') {
      i++;
      branches.push(sequence());
    }
    return {
      ways: branches.reduce((sum, branch) => sum + branch.ways, 0),
      quantified: branches.some((branch) => branch.quantified),
      alternation: branches.length > 1 || branches.some((branch) => branch.alternation),
    };
  };

  const sequence = (): PatternShape => {
    let shape = SINGLE;
    while (i < source.length && source[i] !== '|' && source[i] !== ')') {
      const start = i;
      const atom = atomAt();
      const repeat = quantifier();
      let item = atom;
      if (repeat) {
        const text = source.slice(start, i);
        if (repeat.max > 1 && atom.quantified) {
          throw new PatternRefused(`nested quantifiers in "${text}" (a repeated part that is itself quantified backtracks exponentially); quantify the inner part only`);
        }
        if (repeat.max > 1 && atom.alternation) {
          throw new PatternRefused(`"${text}" repeats a group with alternatives, which backtracks exponentially when they overlap, as in (a|a)*; use a character class such as [ab]*`);
        }
        const span = Math.max(1, Math.min(repeat.max, MAX_PATTERN_INPUT_LENGTH) - repeat.min + 1);
        item = { ways: atom.ways * span, quantified: atom.quantified || repeat.min !== repeat.max, alternation: atom.alternation };
      }
      shape = { ways: shape.ways * item.ways, quantified: shape.quantified || item.quantified, alternation: shape.alternation || item.alternation };
    }
    return shape;
  };

  const atomAt = (): PatternShape => {
    const c = source[i];
    if (c === '(') {
      i++;
      if (source[i] === '?') {
        i++;
        // (?<name>...) is a capture group; (?<=...) and (?<!...) are lookbehinds; (?: (?= (?! take one more character.
        if (source[i] === '<' && source[i + 1] !== '=' && source[i + 1] !== '!') i = source.indexOf('>', i) + 1;
        else i += source[i] === '<' ? 2 : 1;
      }
      const inner = alternation();
      i++; // ')'
      return inner;
    }
    if (c === '[') {
      i++;
      while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
      i++; // ']'
      return SINGLE;
    }
    if (c === '\\') {
      escape();
      return SINGLE;
    }
    i++;
    return SINGLE;
  };

  const escape = (): void => {
    const c = source[i + 1] ?? '';
    if (/[1-9]/.test(c) || c === 'k') throw new PatternRefused('backreferences (\\1, \\k<name>) are not supported: matching them can take exponential time');
    i += 2;
    if ((c === 'u' || c === 'p' || c === 'P') && source[i] === '{') i = source.indexOf('}', i) + 1;
    else if (c === 'u') i += 4;
    else if (c === 'x') i += 2;
    else if (c === 'c') i += 1;
  };

  const quantifier = (): { min: number; max: number } | undefined => {
    let repeat: { min: number; max: number } | undefined;
    const c = source[i];
    if (c === '*') repeat = { min: 0, max: Infinity };
    else if (c === '+') repeat = { min: 1, max: Infinity };
    else if (c === '?') repeat = { min: 0, max: 1 };
    if (repeat) {
      i++;
    } else if (c === '{') {
      const bounds = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
      if (!bounds) return undefined;
      i += bounds[0].length;
      const min = Number(bounds[1]);
      repeat = { min, max: bounds[2] === undefined ? min : bounds[3] === '' ? Infinity : Number(bounds[3]) };
    } else {
      return undefined;
    }
    if (source[i] === '?') i++; // lazy
    return repeat;
  };

  return alternation();
}

/** Compiled patterns (null when refused), bounded: the catalog holds a handful. */
const compiledPatterns = new Map<string, RegExp | null>();
const MAX_COMPILED_PATTERNS = 500;

/** Runs a pattern on a value of at most MAX_PATTERN_INPUT_LENGTH characters; refused patterns never match. */
function matchesPattern(source: string, actual: string): boolean {
  if (actual.length > MAX_PATTERN_INPUT_LENGTH) return false;
  let pattern = compiledPatterns.get(source);
  if (pattern === undefined) {
    // Checked again here, so a condition built without the schema cannot bypass the guard.
    pattern = patternProblem(source) === undefined ? new RegExp(source, 'u') : null;
    if (compiledPatterns.size >= MAX_COMPILED_PATTERNS) compiledPatterns.clear();
    compiledPatterns.set(source, pattern);
  }
  return pattern !== null && pattern.test(actual);
}
