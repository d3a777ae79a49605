/**
 * A conductor that dies mid-job does not lose the job: the conductor runs in a child process
 * that is killed with SIGKILL while it holds the claim. Once the lease runs out and the posting
 * comes back, another conductor claims the job and completes it, with attempts 2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoardHarness } from '../support/board-harness.js';
import { spawnConductor } from '../support/conductor-child.js';
import { waitFor } from '../support/wait.js';

const h = new BoardHarness({ visibilityTimeoutSeconds: 5 });
beforeAll(() => h.start());
afterAll(() => h.stop());

describe('conductor crash', () => {
  it('a job whose conductor is SIGKILLed mid-run is claimed again after its lease and completes with attempts 2', async () => {
    const { job } = await h.post({ type: 'demo.sleep', payload: { ms: 1_500 } });
    const { child, exited } = spawnConductor(h, 2_000);

    const claimed = await waitFor(async () => {
      const current = await h.store.get(job.id);
      return current.state === 'claimed' ? current : undefined;
    }, { what: 'child to claim the job', timeoutMs: 30_000 });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(claimed.attempts).toBe(1);
    // Killed mid-run: the 1.5 s sleep cannot have finished.
    expect((await h.store.get(job.id)).state).toBe('claimed');

    h.startPolling();
    const done = await waitFor(async () => {
      const current = await h.store.get(job.id);
      return current.state === 'completed' ? current : undefined;
    }, { what: 'job to complete after the crash', timeoutMs: 30_000 });
    expect(done.attempts).toBe(2);
    expect(done.owner).not.toBe(claimed.owner);
  });
});
