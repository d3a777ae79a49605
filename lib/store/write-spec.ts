/**
 * What a write is before it is sent: a pure description of one conditional write to one item,
 * and its rendering into DynamoDB expressions. Transitions build specs (`transitions.ts`); the
 * writer sends them (`writer.ts`), alone or several in one transaction.
 */
import { TABLE } from '../table.js';

/** Builds the error for a refused condition from the item as it stood (undefined: no item). */
export type Refusal = (current: Record<string, unknown> | undefined) => Error;

/** A conditional UpdateItem. Attribute names in `condition` are written `#name`, values `:name`. */
export interface UpdateSpec {
  kind: 'update';
  /** The transition's name, for errors and metrics. */
  operation: string;
  /** The item's `pk`. */
  key: string;
  set: Record<string, unknown>;
  /** Arithmetic: `attribute = attribute + n` (n may be negative). */
  add?: Record<string, number>;
  remove?: readonly string[];
  /**
   * Document paths, written with `#name` placeholders (`#running.#slot`), for map entries whose
   * keys are data rather than attribute names; `names` says what each placeholder stands for.
   */
  setPaths?: Record<string, unknown>;
  removePaths?: readonly string[];
  names?: Record<string, string>;
  /** String-set members to add to / delete from a set attribute (DynamoDB `ADD` / `DELETE`). */
  addToSet?: Record<string, readonly string[]>;
  deleteFromSet?: Record<string, readonly string[]>;
  /** The item may not exist yet (a semaphore's first holder creates it): no `attribute_exists(pk)` guard. */
  mayCreate?: boolean;
  condition: string;
  values?: Record<string, unknown>;
  refused: Refusal;
}

/** A conditional PutItem of a whole new item. */
export interface PutSpec {
  kind: 'put';
  operation: string;
  key: string;
  item: Record<string, unknown>;
  condition: string;
  values?: Record<string, unknown>;
  refused: Refusal;
}

export type WriteSpec = UpdateSpec | PutSpec;

/** The expressions of an UpdateItem, ready to send. */
export interface RenderedUpdate {
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

/**
 * Renders an update. Every update also bumps `version` (optimistic concurrency; stream consumers
 * order by it) and is guarded by `attribute_exists(pk)`: an update must never create a half item.
 */
export function renderUpdate(spec: UpdateSpec): RenderedUpdate {
  const names: Record<string, string> = { ...spec.names };
  const values: Record<string, unknown> = { ':one': 1, ...spec.values };
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
  Object.entries(spec.setPaths ?? {}).forEach(([path, value], n) => {
    values[`:path_${n}`] = value;
    setClauses.push(`${path} = :path_${n}`);
  });
  const removeClauses = [...(spec.remove ?? []).map(name), ...(spec.removePaths ?? [])];
  const setClause = (verb: string, members: Record<string, readonly string[]> | undefined) => {
    const clauses = Object.entries(members ?? {}).map(([attribute, setMembers]) => {
      values[`:${verb}_${attribute}`] = new Set(setMembers);
      return `${name(attribute)} :${verb}_${attribute}`;
    });
    return clauses.length > 0 ? ` ${verb.toUpperCase()} ${clauses.join(', ')}` : '';
  };
  const expression =
    `SET ${setClauses.join(', ')}${removeClauses.length > 0 ? ` REMOVE ${removeClauses.join(', ')}` : ''}` + setClause('add', spec.addToSet) + setClause('delete', spec.deleteFromSet);
  const condition = spec.mayCreate === true ? spec.condition : `attribute_exists(#pk) AND (${spec.condition})`;
  return { UpdateExpression: expression, ConditionExpression: condition, ...usedOnly(`${expression} ${condition}`, names, values) };
}

/** The condition of a put, with its names and values. */
export function renderPut(spec: PutSpec): Omit<RenderedUpdate, 'UpdateExpression'> {
  return { ConditionExpression: spec.condition, ...usedOnly(spec.condition, {}, { ...spec.values }) };
}

/**
 * Names every `#name` the text uses and drops values it does not: DynamoDB rejects unused
 * values, and transitions share value sets that may hold extras.
 */
function usedOnly(
  text: string,
  names: Record<string, string>,
  values: Record<string, unknown>,
): Pick<RenderedUpdate, 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> {
  for (const match of text.matchAll(/#(\w+)/g)) names[`#${match[1]}`] ??= match[1] === 'pk' ? TABLE.partitionKey : (match[1] as string);
  const used = new Set(text.match(/:\w+/g));
  for (const key of Object.keys(values)) if (!used.has(key)) delete values[key];
  return { ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}
