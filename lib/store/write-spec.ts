/**
 * What a write is before it is sent: a pure description of one conditional write to one item
 * (update, put, delete), or of a condition another item must meet for a transaction to go
 * through (a condition check: how a write is fenced on an item it does not change). Transitions
 * and every other item kind's store build specs; a table (`item-table.ts`) writes them, alone or
 * several in one transaction. The rendering into DynamoDB's expression language is here too: it
 * is what DynamoDB is sent, and what the in-memory table evaluates.
 */
import { TABLE } from '../table.js';

/** Builds the error for a refused condition from the item as it stood (undefined: no item). */
export type Refusal = (current: Record<string, unknown> | undefined) => Error;

/** A conditional UpdateItem. Attribute names in `condition` are written `#name`, values `:name`. */
export interface UpdateSpec {
  kind: 'update';
  /** The write's name, for errors and metrics. */
  operation: string;
  /** The item's `pk`. */
  key: string;
  set: Record<string, unknown>;
  /** Set only where the item has no such attribute yet (`if_not_exists`): a creation time. */
  setIfAbsent?: Record<string, unknown>;
  /** Arithmetic: `attribute = attribute + n` (n may be negative); the attribute must exist. */
  add?: Record<string, number>;
  /** Counters: DynamoDB `ADD attribute n`, which starts a missing attribute at 0. */
  increment?: Record<string, number>;
  remove?: readonly string[];
  /** String-set members to add to / delete from a set attribute (DynamoDB `ADD` / `DELETE`). */
  addToSet?: Record<string, readonly string[]>;
  deleteFromSet?: Record<string, readonly string[]>;
  /**
   * The item may not exist yet (a semaphore's first holder, a registry's first name, a board's
   * first setting create it): no `attribute_exists(pk)` guard, and `condition` may be left out.
   */
  mayCreate?: boolean;
  condition: string;
  values?: Record<string, unknown>;
  refused: Refusal;
}

/** A PutItem of a whole item: conditional (a new job), or not (a cursor that the last writer wins). */
export interface PutSpec {
  kind: 'put';
  operation: string;
  key: string;
  item: Record<string, unknown>;
  condition?: string;
  values?: Record<string, unknown>;
  refused: Refusal;
}

/** A DeleteItem; the write answers the item as it was. */
export interface DeleteSpec {
  kind: 'delete';
  operation: string;
  key: string;
  condition?: string;
  values?: Record<string, unknown>;
  refused: Refusal;
}

/** A condition an item must meet for the transaction it is part of; writes nothing. */
export interface ConditionCheckSpec {
  kind: 'conditionCheck';
  operation: string;
  key: string;
  condition: string;
  values?: Record<string, unknown>;
  refused: Refusal;
}

export type WriteSpec = UpdateSpec | PutSpec | DeleteSpec | ConditionCheckSpec;

/** A transaction holds at most 100 items. */
export const TRANSACTION_MAX_ITEMS = 100;

/** A condition with its names and values, ready to send (absent: none). */
export interface RenderedCondition {
  ConditionExpression?: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

/** The expressions of an UpdateItem, ready to send. */
export interface RenderedUpdate extends RenderedCondition {
  UpdateExpression: string;
}

/**
 * Renders an update. Every update also bumps `version` (optimistic concurrency; stream consumers
 * order by it) and, unless it may create the item, is guarded by `attribute_exists(pk)`: an
 * update must never create a half item.
 */
export function renderUpdate(spec: UpdateSpec): RenderedUpdate {
  const values: Record<string, unknown> = { ':one': 1, ...spec.values };
  const names: Record<string, string> = {};
  const name = (attribute: string): string => {
    names[`#${attribute}`] = attribute;
    return `#${attribute}`;
  };
  const setClauses = [spec.mayCreate === true ? `${name('version')} = if_not_exists(#version, :zero) + :one` : `${name('version')} = #version + :one`];
  if (spec.mayCreate === true) values[':zero'] = 0;
  for (const [attribute, delta] of Object.entries(spec.add ?? {})) {
    values[`:add_${attribute}`] = delta;
    setClauses.push(`${name(attribute)} = #${attribute} + :add_${attribute}`);
  }
  for (const [attribute, value] of Object.entries(spec.set)) {
    values[`:set_${attribute}`] = value;
    setClauses.push(`${name(attribute)} = :set_${attribute}`);
  }
  for (const [attribute, value] of Object.entries(spec.setIfAbsent ?? {})) {
    values[`:absent_${attribute}`] = value;
    setClauses.push(`${name(attribute)} = if_not_exists(#${attribute}, :absent_${attribute})`);
  }
  const removeClauses = (spec.remove ?? []).map(name);
  const memberClauses = (verb: string, members: Record<string, readonly string[]> | undefined) =>
    Object.entries(members ?? {}).map(([attribute, setMembers]) => {
      values[`:${verb}_${attribute}`] = new Set(setMembers);
      return `${name(attribute)} :${verb}_${attribute}`;
    });
  const increments = Object.entries(spec.increment ?? {}).map(([attribute, delta]) => {
    values[`:inc_${attribute}`] = delta;
    return `${name(attribute)} :inc_${attribute}`;
  });
  const addClauses = [...increments, ...memberClauses('add', spec.addToSet)];
  const deleteClauses = memberClauses('delete', spec.deleteFromSet);
  const expression =
    `SET ${setClauses.join(', ')}` +
    (removeClauses.length > 0 ? ` REMOVE ${removeClauses.join(', ')}` : '') +
    (addClauses.length > 0 ? ` ADD ${addClauses.join(', ')}` : '') +
    (deleteClauses.length > 0 ? ` DELETE ${deleteClauses.join(', ')}` : '');
  const condition = spec.mayCreate === true ? spec.condition || undefined : `attribute_exists(#pk) AND (${spec.condition})`;
  return { UpdateExpression: expression, ...renderCondition(condition, `${expression} ${condition ?? ''}`, names, values) };
}

/** The condition of a put, delete or condition check, with its names and values. */
export function renderConditionOf(spec: PutSpec | DeleteSpec | ConditionCheckSpec): RenderedCondition {
  return renderCondition(spec.condition || undefined, spec.condition ?? '', {}, { ...spec.values });
}

/**
 * Names every `#name` the text uses and drops values it does not: DynamoDB rejects unused
 * values, and transitions share value sets that may hold extras.
 */
function renderCondition(condition: string | undefined, text: string, names: Record<string, string>, values: Record<string, unknown>): RenderedCondition {
  for (const match of text.matchAll(/#(\w+)/g)) names[`#${match[1]}`] ??= match[1] === 'pk' ? TABLE.partitionKey : (match[1] as string);
  const used = new Set(text.match(/:\w+/g));
  for (const key of Object.keys(values)) if (!used.has(key)) delete values[key];
  return { ...(condition === undefined ? {} : { ConditionExpression: condition }), ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}
