/**
 * DynamoDB's condition-expression language, evaluated against an item in memory: the rendered
 * condition a spec sends to DynamoDB (`write-spec.ts`) is what the in-memory table checks, so the
 * two tables cannot disagree on a condition's text. Covers what the stores write: comparisons,
 * AND / OR / NOT, parentheses, IN, BETWEEN, and the functions attribute_exists,
 * attribute_not_exists, begins_with, contains and size. Anything else is refused loudly, never
 * evaluated approximately.
 *
 * Semantics follow DynamoDB's: a comparison with a missing attribute, or between values of
 * different types, is false, except `<>`, which is true; `<` and friends order numbers and strings only; size() counts a
 * string's UTF-8 bytes and a set's, list's or map's members.
 */
export interface Expression {
  text: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

type Operand = { kind: 'path'; name: string } | { kind: 'value'; name: string } | { kind: 'size'; name: string };
type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'not'; operand: Node }
  | { kind: 'compare'; op: '=' | '<>' | '<' | '<=' | '>' | '>='; left: Operand; right: Operand }
  | { kind: 'between'; subject: Operand; low: Operand; high: Operand }
  | { kind: 'in'; subject: Operand; options: Operand[] }
  | { kind: 'call'; name: 'attribute_exists' | 'attribute_not_exists' | 'begins_with' | 'contains'; args: Operand[] };

export class UnsupportedExpressionError extends Error {
  override readonly name = 'UnsupportedExpressionError';
}

/** True when the item (undefined: none) meets the condition; an absent condition always holds. */
export function meetsCondition(item: Record<string, unknown> | undefined, expression: Expression | undefined): boolean {
  if (expression === undefined || expression.text.trim() === '') return true;
  const parser = new Parser(tokenize(expression.text));
  const tree = parser.parseAll();
  return evaluate(tree, item ?? {}, expression);
}

const TOKEN = /\s*(<>|<=|>=|[=<>(),]|[#:]?[A-Za-z_][\w]*)/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const match = TOKEN.exec(text);
    if (match === null) throw new UnsupportedExpressionError(`cannot read condition at "${text.slice(TOKEN.lastIndex)}"`);
    tokens.push(match[1] as string);
  }
  return tokens;
}

const COMPARATORS = new Set(['=', '<>', '<', '<=', '>', '>=']);
const FUNCTIONS = new Set(['attribute_exists', 'attribute_not_exists', 'begins_with', 'contains']);

class Parser {
  private at = 0;
  constructor(private readonly tokens: string[]) {}

  parseAll(): Node {
    const node = this.or();
    if (this.at !== this.tokens.length) throw new UnsupportedExpressionError(`unexpected "${this.tokens[this.at]}"`);
    return node;
  }

  private peek(): string | undefined {
    return this.tokens[this.at];
  }

  private next(): string {
    const token = this.tokens[this.at++];
    if (token === undefined) throw new UnsupportedExpressionError('condition ends early');
    return token;
  }

  private expect(token: string): void {
    const found = this.next();
    if (found.toUpperCase() !== token) throw new UnsupportedExpressionError(`expected "${token}", found "${found}"`);
  }

  private keyword(word: string): boolean {
    if (this.peek()?.toUpperCase() !== word) return false;
    this.at++;
    return true;
  }

  private or(): Node {
    let node = this.and();
    while (this.keyword('OR')) node = { kind: 'or', left: node, right: this.and() };
    return node;
  }

  private and(): Node {
    let node = this.not();
    while (this.keyword('AND')) node = { kind: 'and', left: node, right: this.not() };
    return node;
  }

  private not(): Node {
    return this.keyword('NOT') ? { kind: 'not', operand: this.not() } : this.predicate();
  }

  private predicate(): Node {
    if (this.peek() === '(') {
      this.next();
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    const head = this.peek();
    if (head !== undefined && FUNCTIONS.has(head)) {
      this.next();
      return { kind: 'call', name: head as 'contains', args: this.operandList() };
    }
    const subject = this.operand();
    if (this.keyword('BETWEEN')) {
      const low = this.operand();
      this.expect('AND');
      return { kind: 'between', subject, low, high: this.operand() };
    }
    if (this.keyword('IN')) {
      return { kind: 'in', subject, options: this.operandList() };
    }
    const op = this.next();
    if (!COMPARATORS.has(op)) throw new UnsupportedExpressionError(`expected a comparison, found "${op}"`);
    return { kind: 'compare', op: op as '=', left: subject, right: this.operand() };
  }

  /** `( operand, operand, … )`: a function's arguments, or IN's options. */
  private operandList(): Operand[] {
    this.expect('(');
    const operands = [this.operand()];
    while (this.peek() === ',') {
      this.next();
      operands.push(this.operand());
    }
    this.expect(')');
    return operands;
  }

  private operand(): Operand {
    const token = this.next();
    if (token === 'size') {
      this.expect('(');
      const path = this.next();
      this.expect(')');
      return { kind: 'size', name: path };
    }
    if (token.startsWith(':')) return { kind: 'value', name: token };
    if (/^#?[A-Za-z_]\w*$/.test(token) && !FUNCTIONS.has(token)) return { kind: 'path', name: token };
    throw new UnsupportedExpressionError(`expected an operand, found "${token}"`);
  }
}

function evaluate(node: Node, item: Record<string, unknown>, expression: Expression): boolean {
  const resolve = (operand: Operand): unknown => {
    if (operand.kind === 'value') {
      if (!(operand.name in expression.values)) throw new UnsupportedExpressionError(`value ${operand.name} is not defined`);
      return expression.values[operand.name];
    }
    const attribute = attributeName(operand.name, expression.names);
    const value = item[attribute];
    return operand.kind === 'size' ? sizeOf(value) : value;
  };
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, item, expression) && evaluate(node.right, item, expression);
    case 'or':
      return evaluate(node.left, item, expression) || evaluate(node.right, item, expression);
    case 'not':
      return !evaluate(node.operand, item, expression);
    case 'compare':
      return compare(node.op, resolve(node.left), resolve(node.right));
    case 'between': {
      const subject = resolve(node.subject);
      return compare('>=', subject, resolve(node.low)) && compare('<=', subject, resolve(node.high));
    }
    case 'in': {
      const subject = resolve(node.subject);
      return node.options.some((option) => compare('=', subject, resolve(option)));
    }
    case 'call': {
      const [first, second] = node.args;
      if (first === undefined || first.kind !== 'path') throw new UnsupportedExpressionError(`${node.name} needs an attribute`);
      const value = resolve(first);
      if (node.name === 'attribute_exists') return value !== undefined;
      if (node.name === 'attribute_not_exists') return value === undefined;
      if (second === undefined) throw new UnsupportedExpressionError(`${node.name} needs two arguments`);
      const operand = resolve(second);
      if (node.name === 'begins_with') return typeof value === 'string' && typeof operand === 'string' && value.startsWith(operand);
      return containsValue(value, operand);
    }
  }
}

function attributeName(token: string, names: Record<string, string>): string {
  if (!token.startsWith('#')) return token;
  const name = names[token];
  if (name === undefined) throw new UnsupportedExpressionError(`name ${token} is not defined`);
  return name;
}

/** DynamoDB's type of a value, for "same type" checks. */
function typeOf(value: unknown): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') return 'N';
  if (typeof value === 'string') return 'S';
  if (typeof value === 'boolean') return 'BOOL';
  if (value instanceof Uint8Array) return 'B';
  if (value instanceof Set) return typeof [...value][0] === 'number' ? 'NS' : 'SS';
  if (Array.isArray(value)) return 'L';
  return 'M';
}

function compare(op: string, left: unknown, right: unknown): boolean {
  // DynamoDB: a missing attribute is unequal to every value, and neither smaller nor larger.
  if (left === undefined || right === undefined) return op === '<>';
  const type = typeOf(left);
  if (type !== typeOf(right)) return op === '<>';
  if (op === '=') return sameValue(left, right);
  if (op === '<>') return !sameValue(left, right);
  if (type !== 'N' && type !== 'S') throw new UnsupportedExpressionError(`cannot order values of type ${type}`);
  const a = left as number | string;
  const b = right as number | string;
  return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
}

function sameValue(left: unknown, right: unknown): boolean {
  if (left instanceof Set && right instanceof Set) return left.size === right.size && [...left].every((member) => right.has(member));
  if (typeof left !== 'object' || left === null) return left === right;
  return JSON.stringify(left) === JSON.stringify(right);
}

function sizeOf(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return new TextEncoder().encode(value).length;
  if (value instanceof Uint8Array) return value.length;
  if (value instanceof Set) return value.size;
  if (Array.isArray(value)) return value.length;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length;
  return undefined;
}

function containsValue(container: unknown, operand: unknown): boolean {
  if (typeof container === 'string') return typeof operand === 'string' && container.includes(operand);
  if (container instanceof Set) return container.has(operand);
  if (Array.isArray(container)) return container.some((member) => sameValue(member, operand));
  return false;
}
