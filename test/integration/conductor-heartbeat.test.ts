/**
 * A long run keeps its claim: the lease is renewed while it runs, so a second conductor fed
 * duplicate postings the whole time never claims it, though the run outlasts the first lease.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Conductor } from '../../lib/run/conductor.js';
import { BoardHarness } from '../support/board-harness.js';
import { waitFor } from '../support/wait.js';

const h = new BoardHarness({ conductor: { leaseMs: 1_000, leaseMarginMs: 500 }, visibilityTimeoutSeconds: 2 });
beforeAll(() => h.start());
afterAll(() => h.stop());

describe('lease renewal', () => {
  it('a demo.sleep outlasting its initial lease is never claimed by another conductor', async () => {
    const second = new Conductor({
      store: h.store,
      queue: h.postings,
      registry: h.registry,
      events: h.bus,
      logger: h.logger,
      options: { ...h.conductor.options },
    });
    h.startPolling({ concurrency: 1 });
    h.startPolling({ concurrency: 1, conductor: second });
    const { job } = await h.post({ type: 'demo.sleep', payload: { ms: 6_000 } });
    const claimed = await waitFor(async () => ((await h.store.get(job.id)).state === 'claimed' ? h.store.get(job.id) : undefined));
    const initialLeaseEnd = claimed.leaseExpiresAt as number;

    // Duplicate postings keep arriving at both conductors while the job runs.
    const duplicates = setInterval(() => void h.postings.send([{ id: job.id }]).catch(() => undefined), 300);
    const done = await waitFor(async () => {
      const current = await h.store.get(job.id);
      return current.state === 'completed' ? current : undefined;
    }, { timeoutMs: 30_000, what: 'sleep to complete' });
    clearInterval(duplicates);

    expect(done.attempts).toBe(1);
    expect(done.endedAt as number).toBeGreaterThan(initialLeaseEnd + 2_000);
    expect(h.events('job_claimed', job.id)).toHaveLength(1);
    expect(h.events('claim_lost', job.id)).toHaveLength(0);
    expect((done.result as { sleptMs: number }).sleptMs).toBeGreaterThanOrEqual(6_000);
  });
});
