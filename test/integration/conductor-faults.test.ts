/**
 * DynamoDB throttling or an outage during claim, consume or abandon never drops, consumes or
 * fails a job: the record is reported failed, its posting comes back, and the job completes once
 * storage answers again. Faults are injected with aws-sdk-client-mock on a client that otherwise
 * passes every request through to DynamoDB Local.
 */
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand, type GetCommandInput, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postBody } from '../support/jobs.js';
import { BoardHarness } from '../support/board-harness.js';
import { waitFor } from '../support/wait.js';
import { DynamoJobStore } from '../../lib/dynamo/index.js';

type Transition = 'claim' | 'consume' | 'abandon';
const faults = { transition: undefined as Transition | undefined, remaining: 0, injected: 0 };

function transitionOf(input: UpdateCommandInput): Transition | 'other' {
  const state = input.ExpressionAttributeValues?.[':set_state'];
  if (state === 'claimed') return 'claim';
  if (state === 'completed') return 'consume';
  if (state === 'posted' && input.ExpressionAttributeValues?.[':set_waitUntil'] !== undefined) return 'abandon';
  return 'other';
}

const h = new BoardHarness({
  conductor: { leaseMs: 1_000, leaseMarginMs: 500 },
  visibilityTimeoutSeconds: 3,
  wrapDocumentClient: (real, table) => {
    const faulty = DynamoDBDocumentClient.from(table.client);
    mockClient(faulty)
      .onAnyCommand()
      .callsFake(() => {
        throw new Error('only UpdateItem (and the cached read of board settings) is expected on the conductor path');
      })
      .on(GetCommand)
      .callsFake((input: GetCommandInput) => {
        if (!String(input.Key?.pk).startsWith('board#')) throw new Error(`unexpected read of ${String(input.Key?.pk)} on the conductor path`);
        return real.send(new GetCommand(input));
      })
      .on(UpdateCommand)
      .callsFake(async (input: UpdateCommandInput) => {
        if (faults.remaining > 0 && transitionOf(input) === faults.transition) {
          faults.remaining--;
          faults.injected++;
          throw faults.injected % 2 === 0
            ? new ProvisionedThroughputExceededException({ message: 'throttled', $metadata: {} })
            : Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' });
        }
        return real.send(new UpdateCommand(input));
      });
    return faulty;
  },
});
let reader: DynamoJobStore;
beforeAll(async () => {
  await h.start();
  reader = new DynamoJobStore(h.table.documentClient, { tableName: h.table.tableName });
  h.startPolling();
});
afterAll(() => h.stop());

async function postAndFinish(body: Record<string, unknown>, transition: Transition, count: number) {
  const { job } = await postBody(reader, body);
  faults.transition = transition;
  faults.remaining = count;
  faults.injected = 0;
  await h.postings.send([{ id: job.id }]);
  const done = await waitFor(async () => {
    const current = await reader.get(job.id);
    return current.state === 'completed' || current.state === 'failed' ? current : undefined;
  }, { timeoutMs: 45_000, what: `job to finish after ${transition} faults` });
  expect(faults.injected).toBe(count);
  return done;
}

describe('storage faults on the conductor path', () => {
  it('a throttled or timed-out claim comes back and the job completes, the failed claims costing no attempt', async () => {
    const done = await postAndFinish({ type: 'demo.echo', payload: { n: 1 } }, 'claim', 2);
    expect(done).toMatchObject({ state: 'completed', attempts: 1, result: { n: 1 } });
    expect(h.events('record_failed').length).toBeGreaterThanOrEqual(2);
  });

  it('an outage at consume neither drops nor completes the job early: it runs again once storage answers', async () => {
    const done = await postAndFinish({ type: 'demo.echo', payload: { n: 2 }, maxAttempts: 5 }, 'consume', 1);
    expect(done).toMatchObject({ state: 'completed', result: { n: 2 } });
    expect(done.attempts).toBe(2);
  });

  it('an outage at abandon does not fail the job: it is retried and completes', async () => {
    const done = await postAndFinish({ type: 'demo.flaky', payload: { failTimes: 1 }, maxAttempts: 3 }, 'abandon', 1);
    expect(done).toMatchObject({ state: 'completed', result: { attempt: 2 }, attempts: 2 });
  });
});

describe('storage faults with a long visibility timeout', () => {
  const slow = new BoardHarness({
    visibilityTimeoutSeconds: 120,
    wrapDocumentClient: (real, table) => {
      const faulty = DynamoDBDocumentClient.from(table.client);
      let failures = 1;
      mockClient(faulty)
        .on(GetCommand)
        .callsFake((input: GetCommandInput) => real.send(new GetCommand(input)))
        .on(UpdateCommand)
        .callsFake(async (input: UpdateCommandInput) => {
          if (failures > 0 && transitionOf(input) === 'claim') {
            failures--;
            throw new ProvisionedThroughputExceededException({ message: 'throttled', $metadata: {} });
          }
          return real.send(new UpdateCommand(input));
        });
      return faulty;
    },
  });
  beforeAll(async () => {
    await slow.start();
    slow.startPolling();
  });
  afterAll(() => slow.stop());

  it('a throttled claim comes back after seconds, not after the 120 s visibility timeout', async () => {
    const { job } = await postBody(new DynamoJobStore(slow.table.documentClient, { tableName: slow.table.tableName }), { type: 'demo.echo', payload: { quick: true } });
    await slow.postings.send([{ id: job.id }]);
    const started = Date.now();
    const done = await waitFor(async () => ((await slow.table.documentClient.send(new GetCommand({ TableName: slow.table.tableName, Key: { pk: `job#${job.id}` } }))).Item?.state === 'completed' ? true : undefined), {
      timeoutMs: 30_000,
      what: 'job to complete well before the visibility timeout',
    });
    expect(done).toBe(true);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(slow.events('record_failed')[0]).toMatchObject({ retryInSeconds: expect.any(Number) });
  });
});
