/**
 * Stops and slots survive a conductor's death: the conductor runs in a child process that is
 * killed with SIGKILL. A cancel requested right before the kill is carried out once the dead
 * claim's lease runs out, and the job never runs again; a board slot held by the dead conductor
 * frees with its lease, so the board's next job runs.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { boardKey } from '../../lib/store/board-items.js';
import { BoardHarness } from '../support/board-harness.js';
import { spawnConductor } from '../support/conductor-child.js';
import { waitFor } from '../support/wait.js';

const h = new BoardHarness({ visibilityTimeoutSeconds: 5, conductor: { leaseMs: 1_000 } });
beforeAll(() => h.start());
afterAll(() => h.stop());
afterEach(() => h.stopPolling());

const claimedBy = (id: string) => async () => {
  const job = await h.store.get(id);
  return job.state === 'claimed' ? job : undefined;
};

describe('stopping work when the conductor dies', () => {
  it('a 60 s demo.sleep cancelled, its conductor SIGKILLed right after the request, ends trashed and never runs again', async () => {
    const { job } = await h.post({ type: 'demo.sleep', payload: { ms: 60_000 } });
    const { child, exited } = spawnConductor(h, 2_000);
    const claimed = await waitFor(claimedBy(job.id), { what: 'the child to claim the job', timeoutMs: 30_000 });
    const started = Date.now();
    expect(await h.jobs.cancel(job.id)).toMatchObject({ stopping: true });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    h.startPolling();
    const trashed = await waitFor(
      async () => {
        const current = await h.store.get(job.id);
        return current.state === 'trashed' ? current : undefined;
      },
      { what: 'the cancelled job to be trashed', timeoutMs: 30_000 },
    );
    expect(Date.now() - started).toBeLessThan(30_000);
    // Only the dead claim ever ran it: its attempt was lost, and nobody claimed it after.
    expect(trashed.attempts).toBe(1);
    expect(trashed.history?.map((a) => [a.owner, a.outcome])).toEqual([[claimed.owner, 'lost']]);
    expect(h.events('job_claimed', job.id)).toHaveLength(0);
  });

  it('a board slot held by a SIGKILLed conductor frees with its lease', async () => {
    await h.jobs.updateBoard('crash-slot', { maxRunning: 1 });
    const { job: held } = await h.post({ type: 'demo.sleep', payload: { ms: 3_000 }, board: 'crash-slot' });
    const { child, exited } = spawnConductor(h, 2_000);
    await waitFor(claimedBy(held.id), { what: 'the child to claim the job', timeoutMs: 30_000 });
    child.kill('SIGKILL');
    await exited;

    const { job: next } = await h.post({ type: 'demo.echo', board: 'crash-slot' });
    h.startPolling();
    await waitFor(h.finished(next.id), { what: 'the board’s next job to run', timeoutMs: 30_000 });
    await waitFor(h.finished(held.id), { what: 'the crashed job to be run again', timeoutMs: 30_000 });
    // Every slot is given back (the release follows each ending write).
    const slots = async () => (await h.documentClient.send(new GetCommand({ TableName: h.table.tableName, Key: { pk: boardKey('crash-slot') } }))).Item?.holders as Set<string> | undefined;
    await waitFor(async () => (((await slots())?.size ?? 0) === 0 ? true : undefined), { what: 'the board’s slots to be free' });
  });
});
