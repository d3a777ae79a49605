/**
 * A conductor's invocation may run for 15 minutes, so the queue hides a received batch for 6 × that
 * (AWS guidance for event sources). The conductor hides its batch only as long as the first lease:
 * when it dies mid-run, the posting comes back about when the lease runs out, not after the
 * queue's visibility timeout. Here the queue's timeout is 10 minutes; the job is taken over and
 * completed within seconds of the SIGKILL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoardHarness } from '../support/board-harness.js';
import { spawnConductor } from '../support/conductor-child.js';
import { waitFor } from '../support/wait.js';

const h = new BoardHarness({ visibilityTimeoutSeconds: 600 });
beforeAll(() => h.start());
afterAll(() => h.stop());

describe('a dead conductor’s batch under a long visibility timeout', () => {
  it('comes back when its lease runs out, not when the queue’s 10-minute timeout does', async () => {
    const { job } = await h.post({ type: 'demo.sleep', payload: { ms: 5_000 } });
    const { child, exited } = spawnConductor(h, 2_000);
    await waitFor(async () => ((await h.store.get(job.id)).state === 'claimed' ? true : undefined), { what: 'child to claim the job', timeoutMs: 30_000 });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const killedAt = Date.now();

    h.startPolling();
    const done = await waitFor(async () => {
      const current = await h.store.get(job.id);
      return current.state === 'completed' ? current : undefined;
    }, { what: 'job to complete after the crash', timeoutMs: 60_000 });
    expect(done.attempts).toBe(2);
    // Lease 2 s + margin 1 s, then the 5 s run: far inside the queue's 600 s.
    expect(Date.now() - killedAt).toBeLessThan(60_000);
  });
});
