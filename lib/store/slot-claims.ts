/**
 * Claims on a board with `maxRunning`: the job's claim and a slot on its board in one
 * transaction (`board-items.ts` has the slot timeline). A full board is first checked for slots
 * whose holders are gone (the job ended, or its lease ran out): those are cleared, and the claim
 * is tried once more. A transaction returns no item, so the claimed job is read back.
 *
 * Cost on such a board: the claim is a transaction of two items (4 write units instead of 1),
 * plus one read; each ending write is followed by a 1-unit slot release.
 */
import type { Job } from '../model.js';
import { JobState } from '../states.js';
import { acquireSlot, BoardBusyError, clearStaleSlot, type SlotMap } from './board-items.js';
import type { IndexReader } from './index-reader.js';
import { jobKey } from './keys.js';
import { leaseExpired } from './refusals.js';
import type { UpdateSpec } from './write-spec.js';
import type { ItemWriter } from './writer.js';

export interface SlotClaimDependencies {
  writer: ItemWriter;
  reader: IndexReader;
  get(id: string): Promise<Job>;
  now(): number;
  clockSkewMs: number;
}

/** Writes `claimSpec` (a claim or a takeover) together with a slot on `board`; returns the claimed job. */
export async function claimWithSlot(deps: SlotClaimDependencies, claimSpec: UpdateSpec, id: string, owner: string, board: string): Promise<Job> {
  const claimHoldingSlot = { ...claimSpec, set: { ...claimSpec.set, holdsSlot: true }, remove: (claimSpec.remove ?? []).filter((name) => name !== 'holdsSlot') };
  const specs = [claimHoldingSlot, acquireSlot(board, owner, id)];
  for (let round = 0; ; round++) {
    try {
      await deps.writer.writeAll(specs, 'claimWithSlot');
      return await deps.get(id);
    } catch (error) {
      if (!(error instanceof BoardBusyError) || error.settings.paused || round > 0) throw error;
      if ((await clearStaleSlots(deps, board, error.slots)) === 0) throw error;
    }
  }
}

/** Clears the slots whose holder no longer runs its job; returns how many it cleared. */
async function clearStaleSlots(deps: SlotClaimDependencies, board: string, slots: SlotMap): Promise<number> {
  const entries = Object.entries(slots);
  const jobs = await deps.reader.jobs([...new Set(entries.map(([, id]) => jobKey(id)))], ['id', 'state', 'owner', 'leaseExpiresAt']);
  const now = deps.now();
  const stale = entries.filter(([owner, id]) => {
    const job = jobs.get(jobKey(id));
    return job === undefined || job.state !== JobState.claimed || job.owner !== owner || leaseExpired(job, now, deps.clockSkewMs);
  });
  const cleared = await Promise.all(
    stale.map(([owner, id]) =>
      deps.writer.write(clearStaleSlot(board, owner, id)).then(
        () => 1,
        // Cleared by another claimant meanwhile, or the storage refused: either way not ours to count.
        () => 0,
      ),
    ),
  );
  return cleared.reduce<number>((a, b) => a + b, 0);
}
