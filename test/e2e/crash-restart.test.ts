/**
 * Kill the whole local stack with SIGKILL while 200 demo.sleep jobs are queued and running,
 * start it again on the same data directory: every job completes, none is lost, and no job
 * took more than 2 attempts. The conductor timeout is short (10 s) so leases held by the
 * killed stack run out quickly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StackProcess } from '../support/local-stack.js';
import { waitFor } from '../support/wait.js';

const dataDir = mkdtempSync(join(tmpdir(), 'jobboard-crash-'));
const env = { JOBBOARD_CONDUCTOR_TIMEOUT_SECONDS: '10', JOBBOARD_SWEEP_INTERVAL_SECONDS: '5' };
let stack: StackProcess | undefined;
afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('crash and restart', () => {
  it('every accepted job completes after a SIGKILL and a restart on the same data', async () => {
    stack = await new StackProcess({ dataDir, env }).start();
    const posted = await Promise.all(Array.from({ length: 200 }, (_, i) => stack!.request('POST', '/jobs', { type: 'demo.sleep', payload: { ms: 400 + (i % 5) * 200 } })));
    expect(posted.every((r) => r.status === 201)).toBe(true);
    const ids = posted.map((r) => r.body.id as string);

    // Kill it mid-flight: some done, some running, most still queued.
    await waitFor(async () => (await stack!.request('GET', '/stats')).body.completed >= 20, { timeoutMs: 60_000 });
    const before = (await stack.request('GET', '/stats')).body;
    expect(await stack.kill()).toBe('SIGKILL');
    expect(before.completed).toBeLessThan(200);

    stack = await new StackProcess({ dataDir, env }).start();
    const stats = await waitFor(async () => {
      const s = (await stack!.request('GET', '/stats')).body;
      return s.completed === 200 ? s : undefined;
    }, { timeoutMs: 120_000, intervalMs: 500, what: 'all 200 to complete after the restart' });
    expect(stats).toEqual({ posted: 0, claimed: 0, waiting: 0, suspended: 0, completed: 200, failed: 0, trashed: 0 });

    const jobs = await Promise.all(ids.map(async (id) => (await stack!.request('GET', `/jobs/${id}`)).body));
    expect(jobs.every((j) => j.state === 'completed')).toBe(true);
    expect(Math.max(...jobs.map((j) => j.attempts))).toBeLessThanOrEqual(2);
    // The test's own deadlines (60 s to the kill, 120 s after the restart) bound it, not the default 60 s for the whole test.
  }, 200_000);
});
