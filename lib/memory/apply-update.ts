/**
 * An update spec applied to an item in memory, clause by clause as DynamoDB applies the
 * expression `renderUpdate` builds from it: `version` bumped, arithmetic on attributes that must
 * exist, SET, if_not_exists, REMOVE, ADD (counters from 0, set members) and DELETE (set members;
 * an emptied set disappears). What DynamoDB refuses as a malformed request (two clauses on one
 * attribute, arithmetic on a missing attribute) is refused here too, so a spec that only the
 * memory table would accept cannot pass the conformance suite.
 */
import type { UpdateSpec } from '../store/write-spec.js';

export class MalformedUpdateError extends Error {
  override readonly name = 'MalformedUpdateError';
}

/** The item after the update (a new object: the argument is not changed). */
export function applyUpdate(current: Record<string, unknown> | undefined, spec: UpdateSpec): Record<string, unknown> {
  checkNoOverlap(spec);
  const item: Record<string, unknown> = { ...current, pk: spec.key };
  const version = item.version;
  if (spec.mayCreate !== true && typeof version !== 'number') throw new MalformedUpdateError(`${spec.operation}: version is not a number on ${spec.key}`);
  item.version = (typeof version === 'number' ? version : 0) + 1;
  for (const [attribute, delta] of Object.entries(spec.add ?? {})) {
    const value = current?.[attribute];
    if (typeof value !== 'number') throw new MalformedUpdateError(`${spec.operation}: ${attribute} = ${attribute} + n needs ${attribute} to exist as a number`);
    item[attribute] = value + delta;
  }
  for (const [attribute, value] of Object.entries(spec.set)) if (value !== undefined) item[attribute] = value;
  for (const [attribute, value] of Object.entries(spec.setIfAbsent ?? {})) if (current?.[attribute] === undefined) item[attribute] = value;
  for (const attribute of spec.remove ?? []) delete item[attribute];
  for (const [attribute, delta] of Object.entries(spec.increment ?? {})) {
    const value = current?.[attribute] ?? 0;
    if (typeof value !== 'number') throw new MalformedUpdateError(`${spec.operation}: ADD ${attribute} needs a number`);
    item[attribute] = value + delta;
  }
  for (const [attribute, members] of Object.entries(spec.addToSet ?? {})) {
    const set = current?.[attribute];
    if (set !== undefined && !(set instanceof Set)) throw new MalformedUpdateError(`${spec.operation}: ADD to ${attribute}, which is not a set`);
    item[attribute] = new Set([...((set as Set<string> | undefined) ?? []), ...members]);
  }
  for (const [attribute, members] of Object.entries(spec.deleteFromSet ?? {})) {
    const set = current?.[attribute];
    if (set === undefined) continue;
    if (!(set instanceof Set)) throw new MalformedUpdateError(`${spec.operation}: DELETE from ${attribute}, which is not a set`);
    const left = new Set([...(set as Set<string>)].filter((member) => !members.includes(member)));
    if (left.size === 0) delete item[attribute];
    else item[attribute] = left;
  }
  return item;
}

/** DynamoDB refuses an update expression that names one attribute in two clauses. */
function checkNoOverlap(spec: UpdateSpec): void {
  const seen = new Set<string>(['version']);
  const clauses = [spec.add, spec.set, spec.setIfAbsent, spec.increment, spec.addToSet, spec.deleteFromSet].flatMap((clause) => Object.keys(clause ?? {}));
  for (const attribute of [...clauses, ...(spec.remove ?? [])]) {
    if (seen.has(attribute)) throw new MalformedUpdateError(`${spec.operation}: two clauses of one update name ${attribute}`);
    seen.add(attribute);
  }
}
