/**
 * A refused claim whose follow-up write finds the job changed again: the job vanished (TTL, an
 * operator) between the refusal and the failing write. The posting is dropped, not reported as a
 * storage failure. The vanishing is injected (aws-sdk-client-mock) because it cannot be timed
 * against the emulator: everything else goes to DynamoDB Local.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand, type GetCommandInput, type PutCommandInput, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoardHarness } from '../support/board-harness.js';
import { postBody } from '../support/jobs.js';

const vanishOnFail = { armed: false };
const h = new BoardHarness({
  wrapDocumentClient: (real, table) => {
    const client = DynamoDBDocumentClient.from(table.client);
    mockClient(client)
      .on(PutCommand)
      .callsFake((input: PutCommandInput) => real.send(new PutCommand(input)))
      .on(GetCommand)
      .callsFake((input: GetCommandInput) => real.send(new GetCommand(input)))
      .on(UpdateCommand)
      .callsFake(async (input: UpdateCommandInput) => {
        const failing = input.ExpressionAttributeValues?.[':set_state'] === 'failed' && String(input.UpdateExpression).includes('#errors');
        if (vanishOnFail.armed && failing) throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
        return real.send(new UpdateCommand(input));
      });
    return client;
  },
});
beforeAll(() => h.start());
afterAll(() => h.stop());

describe('a refused claim that cannot be followed up', () => {
  it('drops the posting when the job is gone by the time it would be failed', async () => {
    const { job } = await postBody(h.store, { type: 'demo.echo', maxAttempts: 1 });
    // Its only attempt's lease runs out: the next claim is refused as exhausted, and the job must be failed.
    await h.store.claim(job.id, { owner: 'dead-owner', leaseMs: 1 });
    h.clock.offsetMs = 10_000;
    vanishOnFail.armed = true;
    const result = await h.conductor.processBatch([{ messageId: 'm1', receiptHandle: 'unused', body: JSON.stringify({ id: job.id }) }], {
      awsRequestId: 'test',
      getRemainingTimeInMillis: () => 30_000,
    });
    vanishOnFail.armed = false;
    h.clock.offsetMs = 0;
    expect(result.batchItemFailures).toEqual([]);
    expect(h.events('record_failed')).toHaveLength(0);
    expect(await h.deadLetters()).toEqual([]);
  });
});
