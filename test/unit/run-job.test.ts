/** runJob: the run limit, stop reasons, outcomes as results, renewals a chatty job cannot multiply, and the fence after the run. */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ClaimLostError } from '../../lib/errors.js';
import { silentLogger } from '../../lib/logger.js';
import type { Job } from '../../lib/model.js';
import { defineJobType } from '../../lib/registry.js';
import { runJob, type RunJobOptions } from '../../lib/run/run-job.js';
import { RunStoppedError } from '../../lib/run/errors.js';

const job: Job = { id: 'j', type: 't', typeVersion: 1, payload: {}, state: 'claimed', owner: 'o', attempts: 1, maxAttempts: 3, errors: [], createdAt: 0, updatedAt: 0, timeoutSeconds: 60, version: 2, requestHash: 'h' };
const options = (more: Partial<RunJobOptions> = {}): RunJobOptions => ({ jobTimeoutMs: 5_000, deadlineMs: 60_000, renewEveryMs: 1_000, renew: async () => job, logger: silentLogger, now: Date.now, ...more });

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
    const result = await runJob(chatty, job, options({ renew: async () => (renewals++, job) }));
    expect(result).toEqual({ kind: 'succeeded', result: 'done' });
    // 600 ms of heartbeats with a 250 ms floor: at most 3 renewals, not hundreds.
    expect(renewals).toBeGreaterThanOrEqual(1);
    expect(renewals).toBeLessThanOrEqual(3);
  });

  it('renews on its own while a long job runs silently', async () => {
    let renewals = 0;
    const silent = defineJobType({ name: 'silent', version: 1, run: async () => sleep(700) });
    await runJob(silent, job, options({ renewEveryMs: 200, renew: async () => (renewals++, job) }));
    expect(renewals).toBeGreaterThanOrEqual(2);
  });

  it('aborts at the run limit and reports a timeout, whatever the job throws once aborted', async () => {
    const { stubborn, reason } = stubbornJob();
    const result = await runJob(stubborn, job, options({ jobTimeoutMs: 100 }));
    expect(result).toMatchObject({ kind: 'stopped', reason: 'jobTimeout' });
    expect(reason()).toBeInstanceOf(RunStoppedError);
    expect((reason() as RunStoppedError).reason).toBe('jobTimeout');
  });

  it("stops with invocationDeadline when the invocation ends before the job's timeout", async () => {
    const { stubborn, reason } = stubbornJob();
    const result = await runJob(stubborn, job, options({ jobTimeoutMs: 5_000, deadlineMs: 100 }));
    expect(result).toMatchObject({ kind: 'stopped', reason: 'invocationDeadline' });
    expect((reason() as RunStoppedError).reason).toBe('invocationDeadline');
  });

  it('stops with claimLost when a renewal finds another owner', async () => {
    const sleeper = defineJobType({ name: 'sleeper', version: 1, run: async ({ signal }) => sleep(10_000, undefined, { signal }) });
    const result = await runJob(sleeper, job, options({ renewEveryMs: 100, renew: async () => { throw new ClaimLostError('taken over'); } }));
    expect(result).toMatchObject({ kind: 'stopped', reason: 'claimLost' });
  });

  it('stops with the reason a renewed job asks for, and the signal carries it', async () => {
    let reason: unknown;
    const sleeper = defineJobType({
      name: 'sleeper',
      version: 1,
      run: async ({ signal }) => {
        signal.addEventListener('abort', () => (reason = signal.reason));
        await sleep(10_000, undefined, { signal });
      },
    });
    let renewals = 0;
    const result = await runJob(sleeper, job, options({ renewEveryMs: 100, renew: async () => (renewals++, job), stopRequested: () => (renewals >= 2 ? 'cancelled' : undefined) }));
    expect(result).toMatchObject({ kind: 'stopped', reason: 'cancelled' });
    expect((reason as RunStoppedError).reason).toBe('cancelled');
  });

  it('reports a thrown error as such', async () => {
    const failing = defineJobType({ name: 'failing', version: 1, run: async () => { throw new Error('nope'); } });
    const result = await runJob(failing, job, options({ jobTimeoutMs: 1_000 }));
    expect(result).toMatchObject({ kind: 'threw', error: { message: 'nope' } });
  });

  it('is fenced once settled: a job that ignored its abort renews nothing when it calls heartbeat() later', async () => {
    let renewals = 0;
    let lateHeartbeat: (() => Promise<void>) | undefined;
    const deaf = defineJobType({
      name: 'deaf',
      version: 1,
      run: async ({ heartbeat }) => {
        lateHeartbeat = heartbeat;
        await sleep(300); // ignores the abort
      },
    });
    const result = await runJob(deaf, job, options({ jobTimeoutMs: 50, renewEveryMs: 400, renew: async () => (renewals++, job) }));
    expect(result).toMatchObject({ kind: 'stopped', reason: 'jobTimeout' });
    await sleep(400);
    await lateHeartbeat?.();
    await lateHeartbeat?.();
    expect(renewals).toBe(0);
  });
});

/** A job that sleeps until aborted, keeping the abort reason its signal carried. */
function stubbornJob() {
  let reason: unknown;
  const stubborn = defineJobType({
    name: 'stubborn',
    version: 1,
    run: async ({ signal }) => {
      signal.addEventListener('abort', () => (reason = signal.reason));
      return sleep(10_000, undefined, { signal });
    },
  });
  return { stubborn, reason: () => reason };
}
