/** runJob: the run limit, outcomes as results, and renewals that a chatty job cannot multiply. */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/logger.js';
import type { Job } from '../../lib/model.js';
import { defineJobType } from '../../lib/registry.js';
import { runJob } from '../../lib/run-job.js';

const job: Job = { id: 'j', type: 't', typeVersion: 1, payload: {}, state: 'claimed', owner: 'o', attempts: 1, maxAttempts: 3, errors: [], createdAt: 0, updatedAt: 0, timeoutSeconds: 60, version: 2, requestHash: 'h' };

describe('runJob', () => {
  it('a job calling heartbeat() in a tight loop renews at most once per quarter of the renewal period', async () => {
    let renewals = 0;
    const chatty = defineJobType({
      name: 'chatty',
      version: 1,
      run: async ({ heartbeat }) => {
        const end = Date.now() + 600;
        while (Date.now() < end) {
          await heartbeat();
          await sleep(1);
        }
        return 'done';
      },
    });
    const result = await runJob(chatty, job, { runLimitMs: 5_000, renewEveryMs: 1_000, renew: async () => void renewals++, logger: silentLogger });
    expect(result).toEqual({ kind: 'succeeded', result: 'done' });
    // 600 ms of heartbeats with a 250 ms floor: at most 3 renewals, not hundreds.
    expect(renewals).toBeGreaterThanOrEqual(1);
    expect(renewals).toBeLessThanOrEqual(3);
  });

  it('renews on its own while a long job runs silently', async () => {
    let renewals = 0;
    const silent = defineJobType({ name: 'silent', version: 1, run: async () => sleep(700) });
    await runJob(silent, job, { runLimitMs: 5_000, renewEveryMs: 200, renew: async () => void renewals++, logger: silentLogger });
    expect(renewals).toBeGreaterThanOrEqual(2);
  });

  it('aborts at the run limit and reports a timeout, whatever the job throws once aborted', async () => {
    const stubborn = defineJobType({ name: 'stubborn', version: 1, run: async ({ signal }) => sleep(10_000, undefined, { signal }) });
    const result = await runJob(stubborn, job, { runLimitMs: 100, renewEveryMs: 1_000, renew: async () => undefined, logger: silentLogger });
    expect(result.kind).toBe('timedOut');
  });

  it('reports a thrown error as such', async () => {
    const failing = defineJobType({ name: 'failing', version: 1, run: async () => { throw new Error('nope'); } });
    const result = await runJob(failing, job, { runLimitMs: 1_000, renewEveryMs: 1_000, renew: async () => undefined, logger: silentLogger });
    expect(result).toMatchObject({ kind: 'threw', error: { message: 'nope' } });
  });
});
