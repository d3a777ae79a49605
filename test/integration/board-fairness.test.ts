/**
 * Board fairness: with 2,000 jobs queued on one board and 20 posted after them on another, the
 * 20 do not wait for the 2,000. Postings carry their board as the fair-queue group (SQS fair
 * queues on AWS; the local emulator serves groups round-robin). The bound tested: every one of
 * the 20 is claimed before 10% of the backlog (200 jobs) is; round-robin alone gives about 20.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePostRequest } from '../../lib/http/post-request.js';
import { BoardHarness } from '../support/board-harness.js';
import { waitFor } from '../support/wait.js';

const h = new BoardHarness({ visibilityTimeoutSeconds: 30 });
beforeAll(() => h.start());
afterAll(() => h.stop());

describe('fairness between boards', () => {
  it('20 jobs of a quiet board are claimed before 10% of a 2,000-job backlog on a busy board', { timeout: 180_000 }, async () => {
    for (let i = 0; i < 2_000; i += 100) {
      await h.jobs.postMany(Array.from({ length: 100 }, () => parsePostRequest({ type: 'demo.echo', board: 'busy' })));
    }
    const quiet = await h.jobs.postMany(Array.from({ length: 20 }, () => parsePostRequest({ type: 'demo.echo', board: 'quiet' })));
    const quietIds = new Set(quiet.flatMap((r) => ('job' in r ? [r.job.id] : [])));
    expect(quietIds.size).toBe(20);

    const claims: string[] = [];
    h.bus.subscribe((event) => {
      if (event.kind === 'transition' && event.name === 'job_claimed') claims.push(event.job.board ?? 'default');
    });
    h.startPolling({ concurrency: 4 });
    await waitFor(() => (claims.filter((board) => board === 'quiet').length === 20 ? true : undefined), { what: 'every quiet job to be claimed', timeoutMs: 120_000 });
    await h.stopPolling();
    const busyBefore = claims.slice(0, claims.lastIndexOf('quiet')).filter((board) => board === 'busy').length;
    console.log(`busy jobs claimed before the last quiet one: ${busyBefore} of 2000`);
    expect(busyBefore).toBeLessThan(200);
  });
});
