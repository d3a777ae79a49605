/**
 * One job of every kind, driven through a rehearsal's functions: each scenario posts over the API
 * function, lets the mappings and the sweeper carry the job, and checks the ending a user would
 * see. Together they take every function down every path a feature has (the access audit needs
 * each call to be made once). Where a path needs time to pass (an hour's delay, a lost posting,
 * a dead conductor's lease), the scenario moves the job's clock in the table instead of waiting.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { newJob } from '../lib/new-job.js';
import type { SemaphoreRequest } from '../lib/store/semaphores.js';
import type { Rehearsal } from './rehearsal.js';

export interface Scenario {
  kind: string;
  /** Runs the scenario; resolves with what happened, in a few words; throws when it went wrong. */
  run(rehearsal: Rehearsal): Promise<string>;
}

type Job = Record<string, unknown>;

function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

/** Posts a job; the answer must be 201. */
async function post(r: Rehearsal, body: Record<string, unknown>): Promise<Job> {
  const answer = await r.api('POST', '/jobs', body);
  expect(answer.status === 201, `POST /jobs answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

const unique = (name: string) => `rh-${name}-${randomUUID().slice(0, 8)}`;

/**
 * A conductor that claimed the job and died: the rehearsal claims it itself (due now, whatever its
 * delay) with a short lease and never comes back. The job's own posting arrives after its delay.
 */
async function claimedByDeadConductor(r: Rehearsal, id: string, leaseMs: number, options: { board?: string; semaphores?: SemaphoreRequest[] } = {}): Promise<void> {
  await r.setJobAttributes(id, { waitUntil: 0 });
  await r.direct.store.claim(id, { owner: `dead-conductor:${randomUUID().slice(0, 6)}`, leaseMs, ...(options.board === undefined ? {} : { board: options.board }) }, { semaphores: options.semaphores ?? [] });
}
const historyOf = (job: Job) => (job.history as { attempt: number; outcome: string; startedAt: string; endedAt: string }[]) ?? [];

/** Whether two attempts' runs overlapped in time. */
function overlapped(a: Job, b: Job): boolean {
  const span = (job: Job) => [Date.parse(String(job.startedAt)), Date.parse(String(job.endedAt))] as const;
  const [aStart, aEnd] = span(a);
  const [bStart, bEnd] = span(b);
  return aStart < bEnd && bStart < aEnd;
}

export const SCENARIOS: readonly Scenario[] = [
  {
    kind: 'plain',
    run: async (r) => {
      const job = await post(r, { type: 'demo.echo', payload: { hello: 'rehearsal' } });
      const done = await r.waitFor(String(job.id), 'completed');
      expect(JSON.stringify(done.result) === JSON.stringify({ hello: 'rehearsal' }), `result ${JSON.stringify(done.result)}`);
      const batch = await r.api('POST', '/jobs/batch', { jobs: [{ type: 'demo.echo' }, { type: 'demo.echo', payload: { n: 2 } }] });
      const ids = (batch.body.results as { job: Job }[]).map((result) => String(result.job.id));
      for (const id of ids) await r.waitFor(id, 'completed');
      // The other lanes: each priority has its queue and its event source.
      const lanes = [await post(r, { type: 'demo.echo', priority: 'high' }), await post(r, { type: 'demo.echo', priority: 'low' })];
      for (const job of lanes) await r.waitFor(String(job.id), 'completed');
      return `completed; a batch of ${ids.length}; high and low lanes`;
    },
  },
  {
    kind: 'failing',
    run: async (r) => {
      const permanent = await post(r, { type: 'demo.fail', payload: { permanent: true } });
      const failed = await r.waitFor(String(permanent.id), 'failed');
      const flaky = await post(r, { type: 'demo.flaky', payload: { failTimes: 1 }, maxAttempts: 2 });
      const retried = await r.waitFor(String(flaky.id), 'completed');
      expect(retried.attempts === 2, `flaky took ${String(retried.attempts)} attempts`);
      return `failed (${(failed.errors as { name: string }[])[0]?.name}); flaky completed on attempt 2`;
    },
  },
  {
    kind: 'delayed',
    run: async (r) => {
      const soon = await post(r, { type: 'demo.echo', delaySeconds: 2 });
      // An hour is past SQS's 15-minute delay: no posting goes out now; the sweeper posts the job as it falls due.
      const later = await post(r, { type: 'demo.echo', delaySeconds: 3_600 });
      await r.waitFor(String(soon.id), 'completed');
      await r.setJobAttributes(String(later.id), { waitUntil: Date.now() + 1_000 });
      const tick = await r.tick();
      expect(Number(tick.posted) >= 1, `the sweep posted ${String(tick.posted)} jobs`);
      await r.waitFor(String(later.id), 'completed');
      return 'completed after 2 s; an hour-delayed one posted by the sweeper when due';
    },
  },
  {
    kind: 'board maxRunning',
    run: async (r) => {
      const board = unique('limited');
      const settings = await r.api('PUT', `/boards/${board}`, { maxRunning: 1 });
      expect(settings.status === 200, `PUT /boards answered ${settings.status}`);
      const jobs = [await post(r, { type: 'demo.sleep', payload: { ms: 800 }, board }), await post(r, { type: 'demo.sleep', payload: { ms: 800 }, board })];
      const [a, b] = [await r.waitFor(String(jobs[0]?.id), 'completed'), await r.waitFor(String(jobs[1]?.id), 'completed')] as [Job, Job];
      expect(!overlapped(a, b), 'two jobs of a maxRunning: 1 board ran at once');
      // A holder that died: its slot is cleared once its lease is over, and the next job runs.
      const dead = await post(r, { type: 'demo.echo', board, delaySeconds: 600 });
      await claimedByDeadConductor(r, String(dead.id), 1_000, { board, semaphores: [{ kind: 'board', board }] });
      const next = await post(r, { type: 'demo.echo', board });
      await r.waitFor(String(next.id), 'completed', 40_000);
      const listed = await r.api('GET', `/boards/${board}`);
      expect(listed.body.maxRunning === 1, 'the board lost its limit');
      return 'one at a time; a dead holder’s slot cleared';
    },
  },
  {
    kind: 'paused board',
    run: async (r) => {
      const board = unique('paused');
      await r.api('PUT', `/boards/${board}`, { paused: true });
      const job = await post(r, { type: 'demo.echo', board });
      await sleep(2_500);
      expect((await r.job(String(job.id))).state === 'posted', 'a job of a paused board started');
      await r.api('PUT', `/boards/${board}`, { paused: false });
      await r.waitFor(String(job.id), 'completed', 40_000);
      return 'held while paused, completed after resume';
    },
  },
  {
    kind: 'scoped',
    run: async (r) => {
      const scope = unique('printer');
      const jobs = [await post(r, { type: 'demo.sleep', payload: { ms: 600 }, scopes: [scope] }), await post(r, { type: 'demo.sleep', payload: { ms: 600 }, scopes: [scope] })];
      const [a, b] = [await r.waitFor(String(jobs[0]?.id), 'completed'), await r.waitFor(String(jobs[1]?.id), 'completed')] as [Job, Job];
      expect(!overlapped(a, b), 'two jobs sharing a scope ran at once');
      return 'completed one after the other';
    },
  },
  {
    kind: 'unique',
    run: async (r) => {
      const key = unique('daily');
      const first = await post(r, { type: 'demo.sleep', payload: { ms: 500 }, uniqueKey: key });
      const second = await r.api('POST', '/jobs', { type: 'demo.echo', uniqueKey: key });
      expect(second.status === 409 && (second.body.error as { code: string }).code === 'DuplicateError', `a second post answered ${second.status}`);
      await r.waitFor(String(first.id), 'completed');
      const third = await post(r, { type: 'demo.echo', uniqueKey: key });
      await r.waitFor(String(third.id), 'completed');
      return '409 while held, free once final';
    },
  },
  {
    kind: 'dependent',
    run: async (r) => {
      const parent = await post(r, { type: 'demo.sleep', payload: { ms: 500 } });
      const child = await post(r, { type: 'demo.echo', dependsOn: [parent.id] });
      expect(child.state === 'waiting' || child.state === 'posted', `the child was ${String(child.state)}`);
      await r.waitFor(String(child.id), 'completed');
      const failing = await post(r, { type: 'demo.fail', payload: { permanent: true } });
      const orphan = await post(r, { type: 'demo.echo', dependsOn: [failing.id] });
      await r.waitFor(String(orphan.id), 'failed');
      return 'child ran after its parent; a failed parent’s child failed';
    },
  },
  {
    kind: 'scheduled',
    run: async (r) => {
      const name = unique('every');
      const put = await r.api('PUT', `/schedules/${name}`, { type: 'demo.echo', every: 1 });
      expect(put.status === 200, `PUT /schedules answered ${put.status}: ${JSON.stringify(put.body)}`);
      await sleep(1_200);
      await r.tick();
      const schedule = await r.api('GET', `/schedules/${name}`);
      const lastJobId = String(schedule.body.lastJobId);
      expect(lastJobId.startsWith(`schedule.${name}.`), `the schedule's last job is ${lastJobId}`);
      await r.waitFor(lastJobId, 'completed');
      expect((await r.api('GET', '/schedules')).status === 200, 'GET /schedules failed');
      expect((await r.api('DELETE', `/schedules/${name}`)).status === 200, 'DELETE /schedules failed');
      return `slot posted by the sweeper as ${lastJobId.split('.').pop()}, completed`;
    },
  },
  {
    kind: 'cancelled',
    run: async (r) => {
      const job = await post(r, { type: 'demo.sleep', payload: { ms: 30_000 } });
      await r.waitFor(String(job.id), 'claimed');
      const cancel = await r.api('DELETE', `/jobs/${String(job.id)}`);
      expect(cancel.status === 202, `DELETE of a running job answered ${cancel.status}`);
      await r.waitFor(String(job.id), 'trashed', 40_000);
      const idle = await post(r, { type: 'demo.echo', delaySeconds: 600 });
      expect((await r.api('DELETE', `/jobs/${String(idle.id)}`)).status === 200, 'DELETE of a posted job failed');
      return '202, then trashed; a posted one trashed at once';
    },
  },
  {
    kind: 'suspended',
    run: async (r) => {
      const job = await post(r, { type: 'demo.sleep', payload: { ms: 30_000 } });
      await r.waitFor(String(job.id), 'claimed');
      expect((await r.api('POST', `/jobs/${String(job.id)}/suspend`)).status === 202, 'suspend of a running job did not answer 202');
      await r.waitFor(String(job.id), 'suspended', 40_000);
      expect((await r.api('POST', `/jobs/${String(job.id)}/resume`)).status === 200, 'resume failed');
      await r.waitFor(String(job.id), 'claimed');
      await r.api('DELETE', `/jobs/${String(job.id)}`);
      await r.waitFor(String(job.id), 'trashed', 40_000);
      return 'suspended, resumed, then cancelled';
    },
  },
  {
    kind: 'bulk retry',
    run: async (r) => {
      const board = unique('bulk');
      const jobs = await Promise.all([1, 2, 3].map(() => post(r, { type: 'demo.fail', payload: { permanent: true }, board })));
      for (const job of jobs) await r.waitFor(String(job.id), 'failed');
      const created = await r.api('POST', '/operations', { action: 'retry', filter: { board, state: 'failed' } });
      expect(created.status === 202, `POST /operations answered ${created.status}: ${JSON.stringify(created.body)}`);
      const id = String(created.body.id);
      let operation: Record<string, unknown> = created.body;
      for (let tick = 0; operation.state === 'running' && tick < 10; tick++) {
        await r.tick();
        operation = (await r.api('GET', `/operations/${id}`)).body;
      }
      expect(operation.state === 'succeeded' && operation.done === 3, `the operation ended ${JSON.stringify(operation)}`);
      for (const job of jobs) await r.waitFor(String(job.id), (j) => j.state === 'failed' && historyOf(j).length === 2);
      expect((await r.api('GET', '/operations')).status === 200, 'GET /operations failed');
      return 'retried 3 of 3; each failed again';
    },
  },
  {
    kind: 'dead letters',
    run: async (r) => {
      const job = await post(r, { type: 'demo.fail', payload: { permanent: true } });
      await r.waitFor(String(job.id), 'failed');
      await sleep(500);
      const redrive = await r.api('POST', '/dead-letters/redrive');
      expect(redrive.status === 200 && Number(redrive.body.moved) >= 1, `redrive answered ${JSON.stringify(redrive.body)}`);
      return `${String(redrive.body.moved)} redriven`;
    },
  },
  {
    kind: 'lost posting',
    run: async (r) => {
      // A job whose posting is gone and was sent long ago: the sweeper re-posts it (queue idle, past the horizon).
      const job = await post(r, { type: 'demo.echo', delaySeconds: 900 });
      await r.drainQueue(r.queueId('normal'));
      await r.setJobAttributes(String(job.id), { waitUntil: Date.now() - 200_000, postedAt: Date.now() - 200_000 });
      const tick = await r.tick();
      expect(Number(tick.posted) >= 1, `the sweep posted ${String(tick.posted)}`);
      await r.waitFor(String(job.id), 'completed');
      return 're-posted by the sweeper, completed';
    },
  },
  {
    kind: 'expired',
    run: async (r) => {
      const job = await post(r, { type: 'demo.echo', delaySeconds: 1_800, dispatchBy: new Date(Date.now() + 2_000).toISOString() });
      await sleep(2_200);
      await r.tick();
      const failed = await r.waitFor(String(job.id), 'failed');
      return `failed (${(failed.errors as { name: string }[])[0]?.name})`;
    },
  },
  {
    kind: 'dead conductor',
    run: async (r) => {
      // Claimed by a conductor that died: its lease runs out and the job is taken over.
      const lost = await post(r, { type: 'demo.echo', delaySeconds: 3 });
      await claimedByDeadConductor(r, String(lost.id), 500);
      const taken = await r.waitFor(String(lost.id), 'completed', 40_000);
      expect(historyOf(taken).some((h) => h.outcome === 'lost'), 'the lost attempt is not in the history');
      // A cancel asked of a dead conductor's job: whoever finds the lease over carries it out.
      const stopped = await post(r, { type: 'demo.echo', delaySeconds: 3 });
      await claimedByDeadConductor(r, String(stopped.id), 1_500);
      expect((await r.api('DELETE', `/jobs/${String(stopped.id)}`)).status === 202, 'the cancel of a claimed job did not answer 202');
      await r.waitFor(String(stopped.id), 'trashed', 40_000);
      return 'taken over after the lease; a stop carried out';
    },
  },
  {
    kind: 'unknown type',
    run: async (r) => {
      // Posted by other code sharing the table: this deployment fails it where an operator sees it.
      const id = unique('foreign');
      await r.direct.store.post(newJob({ id, type: 'rehearsal.unknown', payload: {} }, { typeVersion: 1 }, Date.now(), () => id));
      await r.direct.sqs.send(new SendMessageCommand({ QueueUrl: r.resources.queueUrls.get(r.queueId('normal')), MessageBody: JSON.stringify({ id }) }));
      const failed = await r.waitFor(id, 'failed');
      return `failed (${(failed.errors as { name: string }[])[0]?.name})`;
    },
  },
  {
    kind: 'reads',
    run: async (r) => {
      for (const path of ['/health', '/openapi.json', '/stats', '/stats?board=default', '/boards', '/jobs?state=completed&limit=5', '/jobs?limit=5&order=desc', '/jobs?state=posted']) {
        const answer = await r.api('GET', path);
        expect(answer.status === 200, `GET ${path} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`);
      }
      const progress = await post(r, { type: 'demo.sleep', payload: { ms: 2_500 } });
      const done = await r.waitFor(String(progress.id), 'completed');
      expect(done.progress === 100, `progress ended at ${String(done.progress)}`);
      return 'lists, counts, boards; progress reached 100';
    },
  },
];
