import { z } from 'zod';

/**
 * The condition language of trigger rules: a field path, an operator, an expected value.
 * Every evaluation returns the actual value next to the expected one, so a decision can always be
 * explained afterwards ("why did this customer get this email").
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
  'exists',
]);
export type ConditionOperator = z.infer<typeof ConditionOperator>;

const FIELD_PATH = /^(event|profile)\.[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const NUMERIC_OPERATORS: ReadonlySet<ConditionOperator> = new Set(['greater_than', 'less_than', 'at_least', 'at_most']);

export const Condition = z
  .object({
    field: z.string().regex(FIELD_PATH, 'must be event.<path> or profile.<path>'),
    op: ConditionOperator,
    value: z.unknown().optional(),
  })
  .strict()
  .superRefine((condition, ctx) => {
    const { op, value } = condition;
    if (NUMERIC_OPERATORS.has(op) && (typeof value !== 'number' || !Number.isFinite(value))) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `operator ${op} needs a finite number` });
    }
    if (op === 'in' && !Array.isArray(value)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'operator in needs an array' });
    }
    if (op === 'exists' && typeof value !== 'boolean') {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'operator exists needs true or false' });
    }
    if ((op === 'equals' || op === 'not_equals' || op === 'contains') && value === undefined) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `operator ${op} needs a value` });
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
export type ConditionScope = { event: unknown; profile: unknown };

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

export function evaluateCondition(condition: Condition, scope: ConditionScope): ConditionResult {
  const actual = readPath(scope, condition.field);
  return {
    field: condition.field,
    op: condition.op,
    expected: condition.value,
    actual,
    passed: compare(condition.op, actual, condition.value),
  };
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
  }
}

function isEqual(a: unknown, b: unknown): boolean {
  return a === b;
}

/** Reads `event.properties.cartValue` style paths; a missing step yields undefined. */
export function readPath(scope: ConditionScope, path: string): unknown {
  let current: unknown = scope;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
