/**
 * Registries: an item whose `names` string set lists the items of one kind (boards, schedules,
 * running operations, an operations day), so a listing needs no scan. ADD and DELETE of a set
 * member are idempotent, so registering twice, or two registrars at once, change nothing more.
 */
import type { Item } from './item-table.js';
import type { UpdateSpec } from './write-spec.js';

/** Adds `name` to (or removes it from) the registry item at `key`, creating the item on the first name. */
export function registryUpdate(key: string, action: 'add' | 'delete', name: string, operation: string): UpdateSpec {
  return {
    kind: 'update',
    operation,
    key,
    set: {},
    ...(action === 'add' ? { addToSet: { names: [name] } } : { deleteFromSet: { names: [name] } }),
    mayCreate: true,
    condition: '',
    refused: () => new Error(`${operation}: a registry update has no condition, yet it was refused`),
  };
}

/** The names a registry item lists, sorted. */
export function registryNames(item: Item | undefined): string[] {
  return item?.names instanceof Set ? [...(item.names as Set<string>)].sort() : [];
}
