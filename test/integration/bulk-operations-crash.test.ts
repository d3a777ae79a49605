/**
 * A bulk retry of 2,000 failed jobs survives a SIGKILL of the local stack running it: the stack
 * (the real `npm start` entry, in a child process) is killed mid-operation and started again on
 * the same data; the operation resumes from its stored position and ends with every job retried
 * exactly once and counted once.
 *
 * The jobs are `demo.fail` (permanent, one attempt), brought to `failed` straight through a store
 * on the stack's DynamoDB Local (no queue, no conductor: the test spends its time on the
 * operation). With one attempt allowed, each retry adds exactly one attempt to a job's history:
 * it runs again and fails again (or, if the kill caught it running, its lost attempt ends it).
 * So a job retried once has two attempts in its history; a job the operation retried twice (say,
 * after the restart, from the slice the kill interrupted) would have three, and one it missed one.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { JobPage, JobView, OperationView } from '../../lib/http/contract.js';
import { LOCAL_TABLE_NAME } from '../../local/stack.js';
import { dynamoClient } from '../support/aws.js';
import { buildJob } from '../support/jobs.js';
import { StackProcess } from '../support/local-stack.js';
import { waitFor } from '../support/wait.js';
import { DynamoJobStore, DynamoOperationStore } from '../../lib/dynamo/index.js';

const JOBS = 2_000;
const BOARD = 'bulk-crash';
// On a RAM-backed file system where there is one: DynamoDB Local then writes without waiting for
// the disk, and its files still outlive the killed process, which is all a restart needs.
const dataDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'jobboard-bulk-crash-'));
// Short conductor leases, so jobs the killed stack was running come back soon after the restart.
const env = { JOBBOARD_CONDUCTOR_TIMEOUT_SECONDS: '10' };
let stack: StackProcess | undefined;
afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Every failed job of the board, paging the list. */
async function failedJobs(on: StackProcess): Promise<JobView[]> {
  const jobs: JobView[] = [];
  let cursor: string | null = null;
  do {
    const page: JobPage = (await on.request('GET', `/jobs?board=${BOARD}&state=failed&limit=100${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`)).body;
    jobs.push(...page.jobs);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return jobs;
}

/** Stores on the stack's own DynamoDB Local (its endpoint is in the stack's output). */
function storesOf(on: StackProcess): { jobs: DynamoJobStore; operations: DynamoOperationStore; close(): void } {
  const endpoint = /DynamoDB Local (http:\/\/\S+),/.exec(on.output)?.[1];
  if (endpoint === undefined) throw new Error(`no DynamoDB Local endpoint in the stack's output:\n${on.output}`);
  const client = dynamoClient(endpoint);
  const documentClient = DynamoDBDocumentClient.from(client);
  return {
    jobs: new DynamoJobStore(documentClient, { tableName: LOCAL_TABLE_NAME }),
    operations: new DynamoOperationStore(documentClient, { tableName: LOCAL_TABLE_NAME }),
    close: () => client.destroy(),
  };
}

/** A job that ran once and failed for good, brought there by the store's own transitions (post, claim, fail). */
async function failedJob(store: DynamoJobStore): Promise<void> {
  const { job } = await store.post(buildJob({ type: 'demo.fail', payload: { permanent: true }, maxAttempts: 1, board: BOARD }));
  const claimed = await store.claim(job.id, { owner: `seed-${job.id}`, leaseMs: 60_000 });
  await store.fail(claimed, { name: 'PermanentError', message: 'demo.fail always fails' }, 'permanent error');
}

/** Attempts in the job's history: the seeded one, plus one per retry. */
const attempts = (job: JobView): number => job.history.length;

async function operation(on: StackProcess, id: string): Promise<OperationView> {
  return (await on.request('GET', `/operations/${id}`)).body as OperationView;
}

describe('a bulk retry killed midway', () => {
  it('resumes after a SIGKILL and a restart, and retries each of 2,000 failed jobs exactly once', async () => {
    stack = await new StackProcess({ dataDir, env }).start();
    const stores = storesOf(stack);
    for (let written = 0; written < JOBS; written += 25) await Promise.all(Array.from({ length: 25 }, () => failedJob(stores.jobs)));
    expect(await failedJobs(stack)).toHaveLength(JOBS);

    const created = await stack.request('POST', '/operations', { action: 'retry', filter: { board: BOARD, state: 'failed' } });
    expect(created.status).toBe(202);
    const id = (created.body as OperationView).id;
    // Kill it once a few slices are committed and the next is recorded as in flight: the kill lands
    // within milliseconds, in the middle of that slice's hundred transitions.
    const before = await waitFor(async () => {
      const current = await stores.operations.get(id);
      return current.done >= 400 && current.pending !== undefined ? current : undefined;
    }, { timeoutMs: 60_000, intervalMs: 10, what: 'the operation to get going' });
    expect(await stack.kill()).toBe('SIGKILL');
    stores.close();
    expect(before.state).toBe('running');
    expect(before.done).toBeLessThan(JOBS);

    stack = await new StackProcess({ dataDir, env }).start();
    const ended = await waitFor(async () => {
      const current = await operation(stack!, id);
      return current.state === 'running' ? undefined : current;
    }, { timeoutMs: 90_000, intervalMs: 250, what: 'the operation to end after the restart' });
    expect(ended).toMatchObject({ state: 'succeeded', matched: JOBS, done: JOBS, skipped: 0, failed: 0, error: null });

    // Every retried job runs again and fails again; then each has two attempts in its history.
    const jobs = await waitFor(async () => {
      const failed = await failedJobs(stack!);
      return failed.length === JOBS && failed.every((job) => attempts(job) >= 2) ? failed : undefined;
    }, { timeoutMs: 90_000, intervalMs: 1_000, what: 'every retried job to fail again' });
    const counts = new Map<number, number>();
    for (const job of jobs) counts.set(attempts(job), (counts.get(attempts(job)) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ 2: JOBS });
  }, 240_000);
});
