/** A record the conductor cannot start before the invocation's deadline is handed back unclaimed, at once. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { BoardHarness } from '../support/board-harness.js';
import { waitFor } from '../support/wait.js';

const h = new BoardHarness({ conductor: { minRemainingToStartMs: 2_000 }, visibilityTimeoutSeconds: 30 });
beforeAll(() => h.start());
afterAll(() => h.stop());

describe('invocation deadline', () => {
  it('records left with too little time are reported failed, unclaimed, and visible again at once', async () => {
    const { job } = await h.post({ type: 'demo.echo' });
    const { Messages = [] } = await h.sqs.send(new ReceiveMessageCommand({ QueueUrl: h.queue.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    expect(Messages).toHaveLength(1);
    const records = Messages.map((m) => ({ messageId: m.MessageId ?? '', receiptHandle: m.ReceiptHandle ?? '', body: m.Body ?? '' }));

    const result = await h.conductor.processBatch(records, { awsRequestId: 'late', getRemainingTimeInMillis: () => 1_500 });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: Messages[0]?.MessageId }]);
    expect(await h.store.get(job.id)).toMatchObject({ state: 'posted', attempts: 0 });
    // Visible again without waiting out the 30 s visibility timeout.
    await waitFor(async () => (await h.queueDepth()).visible === 1, { timeoutMs: 5_000, what: 'posting to be visible again' });

    h.startPolling();
    await waitFor(async () => (await h.store.get(job.id)).state === 'completed');
  });
});
