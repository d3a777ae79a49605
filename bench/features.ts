/**
 * What wave-2 features cost and how priority behaves, measured on a running local stack:
 * - write and read units of each feature's operations (cancel, suspend, resume, progress,
 *   a `maxRunning` board's claim and release), counted by the request meter on the stack's own
 *   DynamoDB client;
 * - the start latency (post → claim) of `high` jobs posted behind a backlog of `low` ones.
 */
import { randomUUID } from 'node:crypto';
import { parsePostRequest } from '../lib/http/post-request.js';
import type { Job } from '../lib/model.js';
import { newJob } from '../lib/new-job.js';
import type { LocalStack } from '../local/stack.js';
import type { RequestMeter } from './request-meter.js';

export interface FeatureCost {
  operation: string;
  writeUnits: number;
  readUnits: number;
  note: string;
}

/** A job written straight to the store, with no posting: no conductor will touch it. */
async function quietJob(stack: LocalStack, body: Record<string, unknown>): Promise<Job> {
  const job = newJob(parsePostRequest({ type: 'demo.echo', ...body }), { typeVersion: 1 }, Date.now(), randomUUID);
  return (await stack.runtime.store.post(job)).job;
}

export async function featureCosts(stack: LocalStack, meter: RequestMeter): Promise<FeatureCost[]> {
  const { store, jobs, lifecycle } = stack.runtime;
  meter.enabled = true;
  const costs: FeatureCost[] = [];
  const measure = async (operation: string, note: string, act: () => Promise<unknown>) => {
    meter.reset();
    await act();
    const snapshot = meter.snapshot();
    costs.push({ operation, writeUnits: snapshot.dynamoWriteUnits, readUnits: snapshot.dynamoReadUnits, note });
  };
  const claim = (job: Job, options = {}) => store.claim(job.id, { owner: `bench:${randomUUID()}`, leaseMs: 60_000 }, options);

  const cancelled = await claim(await quietJob(stack, {}));
  await measure('cancel request (DELETE on a running job)', 'read + stop request', () => jobs.cancel(cancelled.id));
  await measure('run ended by the cancel', 'instead of the consume', async () => lifecycle.settle(await store.stopRun({ ...cancelled, stopRequested: 'cancel' }, 'cancelled')));

  const suspended = await claim(await quietJob(stack, {}));
  await measure('suspend request (running job)', 'read + stop request', () => jobs.suspend(suspended.id));
  await measure('run ended by the suspend', 'instead of the consume', async () => lifecycle.settle(await store.stopRun({ ...suspended, stopRequested: 'suspend' }, 'suspended')));
  const reporting = await claim(await quietJob(stack, {}));
  await measure('progress write', 'at most one per 2 s per running job', () => store.reportProgress(reporting, 50));

  await store.boards.update('bench-limited', { maxRunning: 100 });
  const plain = await claim(await quietJob(stack, {}));
  await measure('plain claim + consume', 'for comparison', async () => lifecycle.settle(await store.consume(plain, null)));
  const limitedJob = await quietJob(stack, { board: 'bench-limited' });
  await measure('maxRunning board: claim + consume', 'claim is a 2-item transaction + a read; a slot release follows', async () =>
    lifecycle.settle(await store.consume(await claim(limitedJob, { semaphores: [{ kind: 'board' as const, board: 'bench-limited' }] }), null)),
  );
  const scoped = await quietJob(stack, { scopes: ['bench-scope'] });
  await measure('scoped job (1 scope): claim + consume', 'claim is a 2-item transaction + a read; a scope release follows', async () =>
    lifecycle.settle(await store.consume(await claim(scoped, { semaphores: [{ kind: 'scope' as const, key: 'bench-scope', limit: 1 }] }), null)),
  );
  await measure('unique job: post', 'the job and its key in one transaction (vs 3 units)', () => quietJob(stack, { uniqueKey: `bench-${randomUUID()}` }));
  const parent = await quietJob(stack, {});
  const child = newJob(parsePostRequest({ type: 'demo.echo', dependsOn: [parent.id] }), { typeVersion: 1 }, Date.now(), randomUUID);
  await measure('dependent job (1 parent): post and link', 'read of the parent, post, the parent learns of its child', () => jobs.post(parsePostRequest({ type: 'demo.echo', id: child.id, dependsOn: [parent.id] })));
  const claimedParent = await claim(await store.get(parent.id));
  await measure('parent consume + telling its 1 child', 'the consume (3) + a read of the child, drop and release (2)', async () => lifecycle.settle(await store.consume(claimedParent, null)));
  // The released child runs on the stack's conductor: let it finish before the next measure.
  while ((await store.get(child.id)).state !== 'completed') await new Promise((resolve) => setTimeout(resolve, 20));

  // Last: the resumed job's posting goes out, and the stack's conductor runs it.
  await measure('resume', 'read + write, then a posting', () => jobs.resume(suspended.id));
  return costs;
}

export interface PriorityLatency {
  backlog: number;
  samples: number;
  medianMs: number;
  p90Ms: number;
  /** Low jobs still unstarted when the last high job started. */
  lowLeft: number;
}

/**
 * Posts `backlog` low jobs (100 per request), then `samples` high jobs one at a time, each after
 * the one before has started, and reports their post → claim latency while the backlog drains.
 */
export async function priorityLatency(stack: LocalStack, backlog: number, samples: number): Promise<PriorityLatency> {
  const post = async (body: unknown, path = '/jobs') => {
    const response = await fetch(`${stack.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`post answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as { id: string };
  };
  for (let i = 0; i < backlog; i += 100) {
    await post({ jobs: Array.from({ length: Math.min(100, backlog - i) }, () => ({ type: 'demo.echo', priority: 'low', board: 'bench-low' })) }, '/jobs/batch');
  }
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const { id } = await post({ type: 'demo.echo', priority: 'high', board: 'bench-low' });
    let job = await stack.runtime.store.get(id);
    while (job.startedAt === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      job = await stack.runtime.store.get(id);
    }
    latencies.push(job.startedAt - job.createdAt);
  }
  const lowLeft = (await stack.runtime.store.count('bench-low')).posted;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { backlog, samples, medianMs: at(0.5), p90Ms: at(0.9), lowLeft };
}

/** Posts `jobs` jobs that all share one scope key (limit 1), 100 per request, and times them to the last completion. */
export async function oneScopeThroughput(stack: LocalStack, jobs: number): Promise<{ jobs: number; seconds: number; jobsPerSecond: number }> {
  const started = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < jobs; i += 100) {
    const body = { jobs: Array.from({ length: Math.min(100, jobs - i) }, () => ({ type: 'demo.echo', scopes: ['bench-hot-scope'] })) };
    const response = await fetch(`${stack.url}/jobs/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const { results } = (await response.json()) as { results: { job?: { id: string } }[] };
    ids.push(...results.flatMap((r) => (r.job === undefined ? [] : [r.job.id])));
  }
  for (const id of ids) while ((await stack.runtime.store.get(id)).state !== 'completed') await new Promise((resolve) => setTimeout(resolve, 50));
  const seconds = (performance.now() - started) / 1_000;
  return { jobs: ids.length, seconds, jobsPerSecond: ids.length / seconds };
}
