/**
 * Counting semaphores in the table: a board's `maxRunning` slots (`board#<name>`) and scope locks
 * (`scope#<key>`). Each item's `holders` string set has one entry per claim that holds it,
 * `<owner token> <job id>` (neither contains a space). Pure specs.
 *
 * Who may write when:
 * - acquire: a claimant, in the same transaction as its claim, while the gate holds (fewer
 *   holders than the limit; a board also not paused). Entry and claim exist together or not at all.
 * - dropHold: the owner, after its ending write (a separate write: a crash in between leaves an
 *   entry whose claim has ended, which clearStale removes).
 * - clearStale: a claimant refused by a full semaphore, for an entry whose job it has read and
 *   found not claimed by that token under a live lease. Conditioned on the entry still being
 *   there, so of two clearers one removes it and the other changes nothing.
 */
import type { Scope } from '../model.js';
import { boardKey, settingsFromItem } from './board-items.js';
import type { UpdateSpec } from './write-spec.js';
import { itemKey } from '../table.js';
import { SemaphoreBusyError } from './errors.js';

/** What a claim must hold besides the job: its board's slot, or a scope. */
export type SemaphoreRequest = { kind: 'board'; board: string } | { kind: 'scope'; key: string; limit: number };

/** A holder of a semaphore: a claim's owner token and its job. */
export interface Holder {
  owner: string;
  jobId: string;
}

export const holderEntry = (holder: Holder): string => `${holder.owner} ${holder.jobId}`;

export function parseHolder(entry: string): Holder {
  const at = entry.lastIndexOf(' ');
  return { owner: entry.slice(0, at), jobId: entry.slice(at + 1) };
}

/** The scope locks a job's claim must hold. */
export function scopeRequests(scopes: readonly Scope[] | undefined): SemaphoreRequest[] {
  return (scopes ?? []).map((scope) => ({ kind: 'scope', key: scope.key, limit: scope.limit }));
}

export function semaphoreKey(request: SemaphoreRequest): string {
  return request.kind === 'board' ? boardKey(request.board) : itemKey('scope', request.key);
}

export function holdersFromItem(item: Record<string, unknown> | undefined): Holder[] {
  const holders = item?.holders;
  return holders instanceof Set ? [...(holders as Set<string>)].map(parseHolder) : [];
}

/** The gate of each kind: a board's item says its own limit and pause; a scope's limit comes with the request. */
function gate(request: SemaphoreRequest): Pick<UpdateSpec, 'condition' | 'values' | 'mayCreate'> {
  if (request.kind === 'board') {
    return {
      condition:
        '(attribute_not_exists(#paused) OR #paused = :false) AND (attribute_not_exists(#maxRunning) OR attribute_not_exists(#holders) OR size(#holders) < #maxRunning)',
      values: { ':false': false },
    };
  }
  return { condition: 'attribute_not_exists(#holders) OR size(#holders) < :limit', values: { ':limit': request.limit }, mayCreate: true };
}

export function acquire(request: SemaphoreRequest, holder: Holder): UpdateSpec {
  return {
    kind: 'update',
    operation: `acquire ${semaphoreKey(request)}`,
    key: semaphoreKey(request),
    set: {},
    addToSet: { holders: [holderEntry(holder)] },
    ...gate(request),
    refused: (item) =>
      new SemaphoreBusyError(request, holdersFromItem(item), request.kind === 'board' && settingsFromItem(request.board, item).paused, holder.jobId),
  };
}

export function dropHold(key: string, holder: Holder): UpdateSpec {
  return {
    kind: 'update',
    operation: `dropHold ${key}`,
    key,
    set: {},
    deleteFromSet: { holders: [holderEntry(holder)] },
    condition: 'contains(#holders, :entry)',
    values: { ':entry': holderEntry(holder) },
    refused: () => new Error(`${key} was not held by ${holderEntry(holder)}`),
  };
}

/** Removes a holder found stale; the same write as dropping a hold, named for what it does. */
export function clearStale(key: string, holder: Holder): UpdateSpec {
  return { ...dropHold(key, holder), operation: `clearStale ${key}` };
}
