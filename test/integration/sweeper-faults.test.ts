/**
 * A storage error on one job does not stop a sweep from sending the postings it already marked:
 * the other lost postings still go out, and the failure is counted for the next sweep.
 */
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, DynamoDBDocumentClient, QueryCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postBody } from '../support/jobs.js';
import { Sweeper } from '../../lib/maintenance/index.js';
import { BoardHarness } from '../support/board-harness.js';
import { waitFor } from '../support/wait.js';
import { DynamoJobStore, DynamoTaskCursors } from '../../lib/dynamo/index.js';

const h = new BoardHarness();
beforeAll(() => h.start());
afterAll(() => h.stop());

describe('sweeper under storage faults', () => {
  it('sends the postings it marked even when another job of the page hits throttling', async () => {
    const ids = ['lost-a', 'lost-b', 'lost-c'];
    for (const id of ids) await postBody(h.store, { type: 'demo.echo', id }); // written, never posted

    const real = h.table.documentClient;
    const faulty = DynamoDBDocumentClient.from(h.table.client);
    mockClient(faulty)
      .on(QueryCommand)
      .callsFake((input) => real.send(new QueryCommand(input)))
      .on(BatchGetCommand)
      .callsFake((input) => real.send(new BatchGetCommand(input)))
      .on(GetCommand)
      .callsFake((input) => real.send(new GetCommand(input)))
      .on(UpdateCommand)
      .callsFake(async (input: UpdateCommandInput) => {
        if (input.Key?.pk === 'job#lost-b') throw new ProvisionedThroughputExceededException({ message: 'throttled', $metadata: {} });
        return real.send(new UpdateCommand(input));
      });
    const clock = () => Date.now() + 10 * 60_000;
    const sweeper = new Sweeper({
      store: new DynamoJobStore(faulty, { tableName: h.table.tableName }, { now: clock }),
      queue: h.postings,
      cursors: new DynamoTaskCursors(h.table.documentClient, h.table.tableName),
      now: clock,
      logger: h.logger,
    });

    const report = await sweeper.sweep();
    expect(report).toMatchObject({ posted: 2, failed: 1 });
    expect((await h.queueDepth()).visible).toBe(2);
    expect(h.events('sweep_step_failed')).toHaveLength(1);

    // Once the queue has drained, the next sweep, with storage healthy, repairs the one left.
    h.startPolling();
    for (const id of ['lost-a', 'lost-c']) await waitFor(async () => (await h.store.get(id)).state === 'completed');
    await h.stopPolling();
    expect(await h.queueDepth()).toMatchObject({ visible: 0 });
    h.clock.offsetMs = 10 * 60_000;
    expect((await h.sweeper.sweep()).posted).toBe(1);
    h.clock.offsetMs = 0;
  });
});
