/**
 * The sort-key bounds a partition range stands for, whatever the direction: a cursor (`after`)
 * narrows the lower end reading oldest first, the upper end reading newest first, and makes that
 * end exclusive. Pure: both tables read a range through it.
 */
import type { PartitionRange } from './item-table.js';

export interface SortKeyBounds {
  lower?: string;
  upper?: string;
  lowerExclusive: boolean;
  upperExclusive: boolean;
}

export function boundsOf(range: Omit<PartitionRange, 'maxRead'>): SortKeyBounds {
  const after = range.after ?? undefined;
  const lower = range.descending ? range.from : maxKey(range.from, after);
  const upper = range.descending ? minKey(range.to, after) : range.to;
  return {
    ...(lower === undefined ? {} : { lower }),
    ...(upper === undefined ? {} : { upper }),
    lowerExclusive: !range.descending && after !== undefined && lower === after,
    upperExclusive: range.descending === true && after !== undefined && upper === after,
  };
}

/** True when a sort key lies within the bounds. */
export function withinBounds(sortKey: string, bounds: SortKeyBounds): boolean {
  if (bounds.lower !== undefined && (bounds.lowerExclusive ? sortKey <= bounds.lower : sortKey < bounds.lower)) return false;
  if (bounds.upper !== undefined && (bounds.upperExclusive ? sortKey >= bounds.upper : sortKey > bounds.upper)) return false;
  return true;
}

const maxKey = (a: string | undefined, b: string | undefined): string | undefined => (a === undefined ? b : b === undefined ? a : a > b ? a : b);
const minKey = (a: string | undefined, b: string | undefined): string | undefined => (a === undefined ? b : b === undefined ? a : a < b ? a : b);
