/**
 * A sweep works within its time budget and saves where it stopped: a backlog larger than one
 * budget is worked through over several ticks, each starting where the last one stopped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobStore } from '../../lib/store/index.js';
import { BoardHarness } from '../support/board-harness.js';
import { postBody } from '../support/jobs.js';

const h = new BoardHarness();
beforeAll(() => h.start());
afterAll(() => h.stop());

describe('sweep budget and cursor', () => {
  it('finishes a large backlog over several ticks, each resuming at the shard where the last stopped', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 48; i++) ids.push((await postBody(h.store, { type: 'demo.echo', id: `budget-${i}` })).job.id); // written, never posted

    // Every read of a page is recorded, with the tick it belongs to.
    const partitions = await h.store.openPartitions();
    const reads: { tick: number; shard: number }[] = [];
    let tick = 0;
    const store = new Proxy(h.store as JobStore, {
      get(target, property, receiver) {
        if (property === 'openJobsPage') {
          return (partition: string, ...rest: [string | null, number, number]) => {
            reads.push({ tick, shard: partitions.indexOf(partition) });
            return target.openJobsPage(partition, ...rest);
          };
        }
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    // A clock two hours ahead (every posting looks lost, backlog or not) that moves one second per look:
    // with a 3.5 s budget a sweep reads three pages.
    let looks = 0;
    const now = () => Date.now() + 2 * 60 * 60_000 + 1_000 * looks++;
    const sweeper = h.newSweeper({ now, store, sweeper: { pageSize: 4, reserveMs: 0 } });

    for (tick = 1; tick <= 40; tick++) {
      await sweeper.sweep({ remainingMs: 3_500 });
      expect(reads.filter((r) => r.tick === tick).length).toBeLessThanOrEqual(3);
      if ((await h.queueDepth()).visible >= ids.length) break;
    }
    // More than one tick was needed, and each tick began at the shard the one before ended on.
    const ticks = [...new Set(reads.map((r) => r.tick))];
    expect(ticks.length).toBeGreaterThan(2);
    for (const t of ticks.slice(1)) {
      const previous = reads.filter((r) => r.tick === t - 1);
      const first = reads.find((r) => r.tick === t);
      const last = previous[previous.length - 1];
      expect(first?.shard === last?.shard || first?.shard === ((last?.shard ?? 0) + 1) % partitions.length).toBe(true);
    }
    expect(reads.filter((r) => r.tick === 2)[0]?.shard).not.toBe(0);
    // Every job was re-posted exactly once across the ticks.
    for (const id of ids) expect((await h.store.get(id)).version).toBe(2);
    expect((await h.queueDepth()).visible).toBe(48);
  });
});
