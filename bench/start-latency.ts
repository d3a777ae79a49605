/**
 * Start latency on the local stack: post (or due) time to claim, `startedAt - postedAt` of
 * completed jobs, as the StartLatency metric measures it. Idle: jobs posted one at a time, each
 * after the one before completed. Under load: a burst posted 100 per request as fast as it goes.
 */
import type { LocalStack } from '../local/stack.js';

export interface LatencyDistribution {
  samples: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
}

/** Nearest-rank percentiles. */
export function distribution(values: readonly number[]): LatencyDistribution {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
  return { samples: sorted.length, p50Ms: at(0.5), p90Ms: at(0.9), p99Ms: at(0.99) };
}

async function postJson<T>(stack: LocalStack, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${stack.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** Waits for each job to complete, and answers its start latency. */
async function latencies(stack: LocalStack, ids: readonly string[]): Promise<number[]> {
  const out: number[] = [];
  for (const id of ids) {
    let job = await stack.runtime.store.get(id);
    for (const deadline = Date.now() + 120_000; job.state !== 'completed'; job = await stack.runtime.store.get(id)) {
      if (Date.now() > deadline) throw new Error(`job ${id} did not complete within 2 minutes (state ${job.state})`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    out.push((job.startedAt as number) - (job.waitUntil ?? job.postedAt ?? job.createdAt));
  }
  return out;
}

export async function idleStartLatency(stack: LocalStack, samples: number): Promise<LatencyDistribution> {
  const values: number[] = [];
  for (let i = 0; i < samples; i++) {
    const { id } = await postJson<{ id: string }>(stack, '/jobs', { type: 'demo.echo', board: 'bench-latency', payload: { i } });
    values.push(...(await latencies(stack, [id])));
  }
  return distribution(values);
}

export async function burstStartLatency(stack: LocalStack, jobs: number): Promise<LatencyDistribution> {
  const batches = Array.from({ length: Math.ceil(jobs / 100) }, (_, b) => Array.from({ length: Math.min(100, jobs - b * 100) }, (_, i) => ({ type: 'demo.echo', board: 'bench-latency', payload: { i } })));
  const answers = await Promise.all(batches.map((batch) => postJson<{ results: { job?: { id: string } }[] }>(stack, '/jobs/batch', { jobs: batch })));
  const ids = answers.flatMap((a) => a.results.flatMap((r) => (r.job === undefined ? [] : [r.job.id])));
  return distribution(await latencies(stack, ids));
}
