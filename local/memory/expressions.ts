/**
 * DynamoDB's expression language (condition, filter, key condition, update and projection
 * expressions) over document-level items, for the in-memory table of the fast replay. Follows the
 * "Expressions" chapter of the DynamoDB developer guide: comparisons are between values of the same
 * type (else false), strings compare by UTF-8 bytes, every right-hand side of an update reads the
 * item as it was before the update, ADD creates a missing number or set.
 */

export type Item = Record<string, unknown>;
export type ExpressionContext = { names?: Record<string, string> | undefined; values?: Record<string, unknown> | undefined };

type PathStep = { name: string } | { index: number };
type Path = { kind: 'path'; steps: PathStep[] };
type Operand = Path | { kind: 'value'; ref: string } | { kind: 'size'; path: Path };
type Condition =
  | { kind: 'compare'; op: '=' | '<>' | '<' | '<=' | '>' | '>='; left: Operand; right: Operand }
  | { kind: 'between'; operand: Operand; low: Operand; high: Operand }
  | { kind: 'in'; operand: Operand; list: Operand[] }
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'not'; condition: Condition }
  | { kind: 'function'; name: 'attribute_exists' | 'attribute_not_exists'; path: Path }
  | { kind: 'function'; name: 'attribute_type' | 'begins_with' | 'contains'; path: Path; operand: Operand };
type SetValue =
  | Operand
  | { kind: 'if_not_exists'; path: Path; fallback: SetValue }
  | { kind: 'list_append'; left: SetValue; right: SetValue }
  | { kind: 'arith'; op: '+' | '-'; left: SetValue; right: SetValue };
export type UpdatePlan = {
  set: Array<{ path: Path; value: SetValue }>;
  remove: Path[];
  add: Array<{ path: Path; value: Operand }>;
  delete: Array<{ path: Path; value: Operand }>;
};

export class ExpressionError extends Error {
  override name = 'ValidationException';
}

// ---------------------------------------------------------------- tokenizer

type Token = { type: 'name' | 'alias' | 'value' | 'number' | 'punct' | 'end'; text: string };

const PUNCT = ['<>', '<=', '>=', '=', '<', '>', '(', ')', ',', '.', '[', ']', '+', '-'];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (/\s/.test(char)) {
      i += 1;
      continue;
    }
    const punct = PUNCT.find((p) => text.startsWith(p, i));
    if (punct) {
      tokens.push({ type: 'punct', text: punct });
      i += punct.length;
      continue;
    }
    const match = /^[#:]?[A-Za-z0-9_]+/.exec(text.slice(i));
    if (!match) throw new ExpressionError(`Invalid expression: unexpected "${char}" in "${text}"`);
    const word = match[0];
    tokens.push({ type: word.startsWith('#') ? 'alias' : word.startsWith(':') ? 'value' : /^\d+$/.test(word) ? 'number' : 'name', text: word });
    i += word.length;
  }
  tokens.push({ type: 'end', text: '' });
  return tokens;
}

class Parser {
  private position = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.position + offset, this.tokens.length - 1)]!;
  }
  next(): Token {
    const token = this.peek();
    this.position += 1;
    return token;
  }
  isKeyword(word: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.type === 'name' && token.text.toUpperCase() === word;
  }
  isPunct(text: string): boolean {
    const token = this.peek();
    return token.type === 'punct' && token.text === text;
  }
  expectPunct(text: string): void {
    if (!this.isPunct(text)) this.fail(`expected "${text}"`);
    this.position += 1;
  }
  expectEnd(): void {
    if (this.peek().type !== 'end') this.fail('unexpected trailing input');
  }
  fail(message: string): never {
    throw new ExpressionError(`Invalid expression "${this.source}": ${message} at "${this.peek().text}"`);
  }

  // condition := or
  condition(): Condition {
    let left = this.conjunction();
    while (this.isKeyword('OR')) {
      this.next();
      left = { kind: 'or', left, right: this.conjunction() };
    }
    return left;
  }
  private conjunction(): Condition {
    let left = this.negation();
    while (this.isKeyword('AND')) {
      this.next();
      left = { kind: 'and', left, right: this.negation() };
    }
    return left;
  }
  private negation(): Condition {
    if (this.isKeyword('NOT')) {
      this.next();
      return { kind: 'not', condition: this.negation() };
    }
    return this.primary();
  }
  private primary(): Condition {
    if (this.isPunct('(')) {
      this.next();
      const inner = this.condition();
      this.expectPunct(')');
      return inner;
    }
    const token = this.peek();
    const name = token.text.toLowerCase();
    if (token.type === 'name' && this.peek(1).text === '(' && name !== 'size') {
      this.next();
      this.expectPunct('(');
      const path = this.path();
      if (name === 'attribute_exists' || name === 'attribute_not_exists') {
        this.expectPunct(')');
        return { kind: 'function', name, path };
      }
      if (name === 'attribute_type' || name === 'begins_with' || name === 'contains') {
        this.expectPunct(',');
        const operand = this.operand();
        this.expectPunct(')');
        return { kind: 'function', name, path, operand };
      }
      this.fail(`unknown function ${token.text}`);
    }
    const left = this.operand();
    if (this.isKeyword('BETWEEN')) {
      this.next();
      const low = this.operand();
      if (!this.isKeyword('AND')) this.fail('expected AND');
      this.next();
      return { kind: 'between', operand: left, low, high: this.operand() };
    }
    if (this.isKeyword('IN')) {
      this.next();
      this.expectPunct('(');
      const list = [this.operand()];
      while (this.isPunct(',')) {
        this.next();
        list.push(this.operand());
      }
      this.expectPunct(')');
      return { kind: 'in', operand: left, list };
    }
    const op = this.next();
    if (op.type !== 'punct' || !['=', '<>', '<', '<=', '>', '>='].includes(op.text)) this.fail('expected a comparator');
    return { kind: 'compare', op: op.text as '=', left, right: this.operand() };
  }

  operand(): Operand {
    const token = this.peek();
    if (token.type === 'value') {
      this.next();
      return { kind: 'value', ref: token.text };
    }
    if (token.type === 'name' && token.text.toLowerCase() === 'size' && this.peek(1).text === '(') {
      this.next();
      this.expectPunct('(');
      const path = this.path();
      this.expectPunct(')');
      return { kind: 'size', path };
    }
    return this.path();
  }

  path(): Path {
    const steps: PathStep[] = [];
    const first = this.next();
    if (first.type !== 'name' && first.type !== 'alias') this.fail('expected an attribute name');
    steps.push({ name: first.text });
    for (;;) {
      if (this.isPunct('.')) {
        this.next();
        const part = this.next();
        if (part.type !== 'name' && part.type !== 'alias') this.fail('expected an attribute name');
        steps.push({ name: part.text });
      } else if (this.isPunct('[')) {
        this.next();
        const index = this.next();
        if (index.type !== 'number') this.fail('expected a list index');
        this.expectPunct(']');
        steps.push({ index: Number(index.text) });
      } else return { kind: 'path', steps };
    }
  }

  update(): UpdatePlan {
    const plan: UpdatePlan = { set: [], remove: [], add: [], delete: [] };
    while (this.peek().type !== 'end') {
      const clause = this.next().text.toUpperCase();
      do {
        if (clause === 'SET') {
          const path = this.path();
          this.expectPunct('=');
          plan.set.push({ path, value: this.setValue() });
        } else if (clause === 'REMOVE') plan.remove.push(this.path());
        else if (clause === 'ADD' || clause === 'DELETE') {
          const path = this.path();
          (clause === 'ADD' ? plan.add : plan.delete).push({ path, value: this.operand() });
        } else this.fail('expected SET, REMOVE, ADD or DELETE');
      } while (this.isPunct(',') && this.next());
    }
    return plan;
  }

  private setValue(): SetValue {
    const left = this.setOperand();
    if (this.isPunct('+') || this.isPunct('-')) {
      const op = this.next().text as '+' | '-';
      return { kind: 'arith', op, left, right: this.setOperand() };
    }
    return left;
  }
  private setOperand(): SetValue {
    const token = this.peek();
    const name = token.text.toLowerCase();
    if (token.type === 'name' && this.peek(1).text === '(' && (name === 'if_not_exists' || name === 'list_append')) {
      this.next();
      this.expectPunct('(');
      if (name === 'if_not_exists') {
        const path = this.path();
        this.expectPunct(',');
        const fallback = this.setValue();
        this.expectPunct(')');
        return { kind: 'if_not_exists', path, fallback };
      }
      const left = this.setValue();
      this.expectPunct(',');
      const right = this.setValue();
      this.expectPunct(')');
      return { kind: 'list_append', left, right };
    }
    return this.operand();
  }

  projection(): Path[] {
    const paths = [this.path()];
    while (this.isPunct(',')) {
      this.next();
      paths.push(this.path());
    }
    return paths;
  }
}

// Parsed once per distinct expression text: the adapters send a handful of shapes millions of times.
const conditionCache = new Map<string, Condition>();
const updateCache = new Map<string, UpdatePlan>();
const projectionCache = new Map<string, Path[]>();

/** The `#name` and `:value` placeholders each expression uses: DynamoDB refuses one left undefined before it reads any item. */
const placeholders = new Map<string, string[]>();

function cached<T>(cache: Map<string, T>, text: string, parse: (parser: Parser) => T): T {
  let parsed = cache.get(text);
  if (parsed === undefined) {
    const tokens = tokenize(text);
    const parser = new Parser(tokens, text);
    parsed = parse(parser);
    parser.expectEnd();
    cache.set(text, parsed);
    placeholders.set(text, [...new Set(tokens.filter((token) => token.type === 'alias' || token.type === 'value').map((token) => token.text))]);
  }
  return parsed;
}

/** Throws DynamoDB's ValidationException for a placeholder of `text` that `context` does not define. */
export function checkPlaceholders(text: string, context: ExpressionContext): void {
  for (const placeholder of placeholders.get(text) ?? []) {
    if (placeholder.startsWith('#') && context.names?.[placeholder] === undefined) {
      throw new ExpressionError(`An expression attribute name used in the document path is not defined; attribute name: ${placeholder}`);
    }
    if (placeholder.startsWith(':') && !(context.values && placeholder in context.values)) {
      throw new ExpressionError(`An expression attribute value used in expression is not defined; attribute value: ${placeholder}`);
    }
  }
}

export const parseCondition = (text: string): Condition => cached(conditionCache, text, (p) => p.condition());
export const parseUpdate = (text: string): UpdatePlan => cached(updateCache, text, (p) => p.update());
export const parseProjection = (text: string): Path[] => cached(projectionCache, text, (p) => p.projection());

// ---------------------------------------------------------------- evaluation

const MISSING = Symbol('missing');
type Resolved = unknown | typeof MISSING;

function stepName(step: { name: string }, context: ExpressionContext): string {
  if (!step.name.startsWith('#')) return step.name;
  const name = context.names?.[step.name];
  if (name === undefined) throw new ExpressionError(`An expression attribute name used in the document path is not defined; attribute name: ${step.name}`);
  return name;
}

function valueOf(ref: string, context: ExpressionContext): unknown {
  const values = context.values;
  if (!values || !(ref in values)) throw new ExpressionError(`An expression attribute value used in expression is not defined; attribute value: ${ref}`);
  return values[ref];
}

function resolvePath(item: Item | undefined, path: Path, context: ExpressionContext): Resolved {
  let current: unknown = item;
  for (const step of path.steps) {
    if (current === undefined || current === null || typeof current !== 'object') return MISSING;
    if ('index' in step) {
      if (!Array.isArray(current)) return MISSING;
      current = current[step.index];
    } else {
      if (Array.isArray(current) || current instanceof Set || current instanceof Uint8Array) return MISSING;
      const name = stepName(step, context);
      if (!Object.prototype.hasOwnProperty.call(current, name)) return MISSING;
      current = (current as Item)[name];
    }
    if (current === undefined) return MISSING;
  }
  return current;
}

function resolveOperand(item: Item | undefined, operand: Operand, context: ExpressionContext): Resolved {
  if (operand.kind === 'value') return valueOf(operand.ref, context);
  if (operand.kind === 'path') return resolvePath(item, operand, context);
  const value = resolvePath(item, operand.path, context);
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (value instanceof Uint8Array) return value.length;
  if (Array.isArray(value)) return value.length;
  if (value instanceof Set) return value.size;
  if (value !== null && typeof value === 'object') return Object.keys(value).length;
  return MISSING;
}

/** DynamoDB's type of a document value: S, N, B, BOOL, NULL, L, M, SS, NS, BS. */
export function typeOf(value: unknown): string {
  if (typeof value === 'string') return 'S';
  if (typeof value === 'number' || typeof value === 'bigint') return 'N';
  if (typeof value === 'boolean') return 'BOOL';
  if (value === null) return 'NULL';
  if (value instanceof Uint8Array) return 'B';
  if (Array.isArray(value)) return 'L';
  if (value instanceof Set) {
    const first = value.values().next().value as unknown;
    return typeof first === 'number' ? 'NS' : first instanceof Uint8Array ? 'BS' : 'SS';
  }
  return 'M';
}

/** Ordering of two scalars of one type (S by UTF-8 bytes, N numerically, B bytewise); undefined when not comparable. */
export function compareScalars(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b);
  return undefined;
}

/** UTF-8 byte order: UTF-16 code unit order differs from it only where surrogates meet U+E000..U+FFFF. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\ud7ff]*$/.test(a) && /^[\x00-\ud7ff]*$/.test(b)) return a < b ? -1 : 1;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0;
  if (a instanceof Set || b instanceof Set) return a instanceof Set && b instanceof Set && a.size === b.size && [...a].every((m) => [...b].some((n) => deepEqual(m, n)));
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  const aKeys = Object.keys(a as Item).filter((k) => (a as Item)[k] !== undefined);
  const bKeys = Object.keys(b as Item).filter((k) => (b as Item)[k] !== undefined);
  return aKeys.length === bKeys.length && aKeys.every((k) => deepEqual((a as Item)[k], (b as Item)[k]));
}

export function evaluateCondition(item: Item | undefined, condition: Condition, context: ExpressionContext): boolean {
  switch (condition.kind) {
    case 'and':
      return evaluateCondition(item, condition.left, context) && evaluateCondition(item, condition.right, context);
    case 'or':
      return evaluateCondition(item, condition.left, context) || evaluateCondition(item, condition.right, context);
    case 'not':
      return !evaluateCondition(item, condition.condition, context);
    case 'compare': {
      const left = resolveOperand(item, condition.left, context);
      const right = resolveOperand(item, condition.right, context);
      if (left === MISSING || right === MISSING) return condition.op === '<>' && left !== right;
      if (condition.op === '=') return deepEqual(left, right);
      if (condition.op === '<>') return !deepEqual(left, right);
      const order = compareScalars(left, right);
      if (order === undefined) return false;
      return condition.op === '<' ? order < 0 : condition.op === '<=' ? order <= 0 : condition.op === '>' ? order > 0 : order >= 0;
    }
    case 'between': {
      const value = resolveOperand(item, condition.operand, context);
      const low = compareScalars(value, resolveOperand(item, condition.low, context));
      const high = compareScalars(value, resolveOperand(item, condition.high, context));
      return low !== undefined && high !== undefined && low >= 0 && high <= 0;
    }
    case 'in': {
      const value = resolveOperand(item, condition.operand, context);
      return value !== MISSING && condition.list.some((candidate) => deepEqual(value, resolveOperand(item, candidate, context)));
    }
    case 'function': {
      const value = resolvePath(item, condition.path, context);
      if (condition.name === 'attribute_exists') return value !== MISSING;
      if (condition.name === 'attribute_not_exists') return value === MISSING;
      if (!('operand' in condition)) return false;
      const argument = resolveOperand(item, condition.operand, context);
      if (value === MISSING || argument === MISSING) return false;
      if (condition.name === 'attribute_type') return typeOf(value) === argument;
      if (condition.name === 'begins_with') {
        if (typeof value === 'string' && typeof argument === 'string') return value.startsWith(argument);
        if (value instanceof Uint8Array && argument instanceof Uint8Array) return Buffer.from(value).subarray(0, argument.length).equals(argument);
        return false;
      }
      // contains
      if (typeof value === 'string' && typeof argument === 'string') return value.includes(argument);
      if (value instanceof Set) return [...value].some((member) => deepEqual(member, argument));
      if (Array.isArray(value)) return value.some((member) => deepEqual(member, argument));
      return false;
    }
  }
}

function resolveSetValue(item: Item | undefined, value: SetValue, context: ExpressionContext): Resolved {
  if (value.kind === 'if_not_exists') {
    const current = resolvePath(item, value.path, context);
    return current === MISSING ? resolveSetValue(item, value.fallback, context) : current;
  }
  if (value.kind === 'list_append') {
    const left = resolveSetValue(item, value.left, context);
    const right = resolveSetValue(item, value.right, context);
    if (!Array.isArray(left) || !Array.isArray(right)) throw new ExpressionError('Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append');
    return [...left, ...right];
  }
  if (value.kind === 'arith') {
    const left = resolveSetValue(item, value.left, context);
    const right = resolveSetValue(item, value.right, context);
    if (left === MISSING || right === MISSING) throw new ExpressionError('The provided expression refers to an attribute that does not exist in the item');
    if (typeof left !== 'number' || typeof right !== 'number') throw new ExpressionError(`Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ${value.op}`);
    return value.op === '+' ? left + right : left - right;
  }
  return resolveOperand(item, value, context);
}

/** The item after `plan`, as a new object (`item` is not changed); every right-hand side reads `item`. */
export function applyUpdate(item: Item, plan: UpdatePlan, context: ExpressionContext): Item {
  const values = plan.set.map(({ path, value }) => ({ path, value: resolveSetValue(item, value, context) }));
  const adds = plan.add.map(({ path, value }) => ({ path, value: resolveOperand(item, value, context), current: resolvePath(item, path, context) }));
  const deletes = plan.delete.map(({ path, value }) => ({ path, value: resolveOperand(item, value, context), current: resolvePath(item, path, context) }));
  const next = structuredClone(item);
  for (const { path, value } of values) {
    if (value === MISSING) throw new ExpressionError('The provided expression refers to an attribute that does not exist in the item');
    writePath(next, path, structuredClone(value), context);
  }
  for (const { path, value, current } of adds) {
    if (typeof value === 'number') {
      if (current !== MISSING && typeof current !== 'number') throw new ExpressionError('Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD');
      writePath(next, path, (current === MISSING ? 0 : (current as number)) + value, context);
    } else if (value instanceof Set) {
      if (current !== MISSING && !(current instanceof Set)) throw new ExpressionError('Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD');
      writePath(next, path, new Set([...(current === MISSING ? [] : (current as Set<unknown>)), ...value]), context);
    } else throw new ExpressionError('Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD');
  }
  for (const { path, value, current } of deletes) {
    if (!(value instanceof Set)) throw new ExpressionError('Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE');
    if (current === MISSING) continue;
    const remaining = new Set([...(current as Set<unknown>)].filter((member) => ![...value].some((gone) => deepEqual(gone, member))));
    if (remaining.size === 0) removePath(next, path, context);
    else writePath(next, path, remaining, context);
  }
  for (const path of plan.remove) removePath(next, path, context);
  return next;
}

function parentOf(item: Item, path: Path, context: ExpressionContext): { parent: unknown; last: PathStep } {
  let parent: unknown = item;
  for (const step of path.steps.slice(0, -1)) {
    const value = 'index' in step ? (Array.isArray(parent) ? parent[step.index] : undefined) : (parent as Item)[stepName(step, context)];
    if (value === undefined || value === null || typeof value !== 'object') {
      throw new ExpressionError('The document path provided in the update expression is invalid for update');
    }
    parent = value;
  }
  return { parent, last: path.steps.at(-1)! };
}

function writePath(item: Item, path: Path, value: unknown, context: ExpressionContext): void {
  const { parent, last } = parentOf(item, path, context);
  if ('index' in last) {
    if (!Array.isArray(parent)) throw new ExpressionError('The document path provided in the update expression is invalid for update');
    // Past the end: DynamoDB appends.
    if (last.index >= parent.length) parent.push(value);
    else parent[last.index] = value;
  } else (parent as Item)[stepName(last, context)] = value;
}

function removePath(item: Item, path: Path, context: ExpressionContext): void {
  let parent: unknown;
  let last: PathStep;
  try {
    ({ parent, last } = parentOf(item, path, context));
  } catch {
    return;
  }
  if ('index' in last) {
    if (Array.isArray(parent) && last.index < parent.length) parent.splice(last.index, 1);
  } else delete (parent as Item)[stepName(last, context)];
}

/** The attributes a projection names (top-level and nested), as a new item. */
export function project(item: Item, paths: Path[], context: ExpressionContext): Item {
  const result: Item = {};
  for (const path of paths) {
    const value = resolvePath(item, path, context);
    if (value === MISSING) continue;
    // Nested paths keep their enclosing maps (lists become lists of the projected elements, in order).
    let target: Item = result;
    path.steps.forEach((step, i) => {
      const key = 'index' in step ? String(step.index) : stepName(step, context);
      if (i === path.steps.length - 1) target[key] = structuredClone(value);
      else target = (target[key] ??= {}) as Item;
    });
  }
  return result;
}

/** The equality a key condition puts on `attribute` (its partition key), if any. */
export function equalityOn(condition: Condition, attribute: string, context: ExpressionContext): unknown {
  if (condition.kind === 'and') return equalityOn(condition.left, attribute, context) ?? equalityOn(condition.right, attribute, context);
  if (condition.kind !== 'compare' || condition.op !== '=') return undefined;
  const [path, value] = condition.left.kind === 'path' ? [condition.left, condition.right] : [condition.right, condition.left];
  if (path.kind !== 'path' || value.kind !== 'value' || path.steps.length !== 1) return undefined;
  const step = path.steps[0]!;
  return 'name' in step && stepName(step, context) === attribute ? valueOf(value.ref, context) : undefined;
}
