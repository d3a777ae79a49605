/**
 * Claims that must hold semaphores besides the job (a board's `maxRunning` slot, scope locks):
 * the job's claim and every acquisition in one transaction (`semaphores.ts` has the timeline).
 * A semaphore that refuses is first checked for holders that are gone (the job ended, or its
 * lease ran out): those are cleared, and the claim is tried once more. A transaction returns no
 * item, so the claimed job is read back.
 *
 * Cost: a transaction of 1 + n items (2 write units each instead of 1), plus one read; each
 * ending write is followed by a 1-unit release per semaphore.
 */
import type { Job } from '../model.js';
import { JobState } from '../states.js';
import type { IndexReader } from './index-reader.js';
import { leaseExpired } from './refusals.js';
import { acquire, clearStale, semaphoreKey, type Holder, type SemaphoreRequest } from './semaphores.js';
import type { UpdateSpec } from './write-spec.js';
import type { ItemTable } from './item-table.js';
import { jobKey } from '../table.js';
import { SemaphoreBusyError } from './errors.js';

export interface SlotClaimDependencies {
  table: ItemTable;
  reader: IndexReader;
  get(id: string): Promise<Job>;
  now(): number;
  clockSkewMs: number;
}

/**
 * Writes the claim `buildClaim` makes (a claim or a takeover) together with every semaphore asked
 * for; returns the claimed job. The claim is built afresh for each try, so its `startedAt` is the
 * time of the try that won, never one from before the holders it waited for had ended.
 */
export async function claimWithSemaphores(deps: SlotClaimDependencies, buildClaim: () => UpdateSpec, id: string, owner: string, requests: readonly SemaphoreRequest[]): Promise<Job> {
  const holds = requests.map(semaphoreKey);
  for (let round = 0; ; round++) {
    const claimSpec = buildClaim();
    const claimHolding = { ...claimSpec, set: { ...claimSpec.set, holds }, remove: (claimSpec.remove ?? []).filter((name) => name !== 'holds') };
    const specs = [claimHolding, ...requests.map((request) => acquire(request, { owner, jobId: id }))];
    try {
      await deps.table.writeAll(specs, 'claimWithSemaphores');
      return await deps.get(id);
    } catch (error) {
      if (!(error instanceof SemaphoreBusyError) || error.paused || round > 0) throw error;
      if ((await clearStaleHolders(deps, semaphoreKey(error.request), error.holders)) === 0) throw error;
    }
  }
}

/** Clears the holders whose claim no longer runs its job; returns how many it cleared. */
async function clearStaleHolders(deps: SlotClaimDependencies, key: string, holders: readonly Holder[]): Promise<number> {
  // Consistent: an eventually consistent read could show a holder's job from before its claim, and clear a live holder.
  const jobs = await deps.reader.jobs([...new Set(holders.map((h) => jobKey(h.jobId)))], ['id', 'state', 'owner', 'leaseExpiresAt'], true);
  const now = deps.now();
  const stale = holders.filter((holder) => {
    const job = jobs.get(jobKey(holder.jobId));
    return job === undefined || job.state !== JobState.claimed || job.owner !== holder.owner || leaseExpired(job, now, deps.clockSkewMs);
  });
  const cleared = await Promise.all(
    stale.map((holder) =>
      deps.table.write(clearStale(key, holder)).then(
        () => 1,
        // Cleared by another claimant meanwhile, or the storage refused: either way not ours to count.
        () => 0,
      ),
    ),
  );
  return cleared.reduce<number>((a, b) => a + b, 0);
}
