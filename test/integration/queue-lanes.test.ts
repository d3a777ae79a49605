/** The SQS adapter sends each posting on its lane, and returns a record to the queue it came from. */
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsPostingQueue } from '../../lib/queue/sqs-posting-queue.js';
import { sqsClient } from '../support/aws.js';
import { waitFor } from '../support/wait.js';

let server: Awaited<ReturnType<typeof startFauxqs>>;
let urls: { normal: string; high: string; dlq: string };
beforeAll(async () => {
  server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
  urls = {
    normal: server.createQueue('lanes-normal', { attributes: { VisibilityTimeout: '60' } }).queueUrl,
    high: server.createQueue('lanes-high', { attributes: { VisibilityTimeout: '60' } }).queueUrl,
    dlq: server.createQueue('lanes-dlq').queueUrl,
  };
});
afterAll(() => server.stop());

describe('SqsPostingQueue lanes', () => {
  it('sends on the lane asked for, and returnAfter changes the visibility on the queue the record came from', async () => {
    const sqs = sqsClient(server.address);
    const queue = new SqsPostingQueue(sqs, { lanes: { normal: urls.normal, high: urls.high }, deadLetterQueueUrl: urls.dlq });
    await queue.send([{ id: 'urgent', lane: 'high' }, { id: 'plain' }]);
    const receive = (url: string) => sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    const [high] = (await receive(urls.high)).Messages ?? [];
    const [normal] = (await receive(urls.normal)).Messages ?? [];
    expect(JSON.parse(high?.Body ?? '{}')).toEqual({ id: 'urgent' });
    expect(JSON.parse(normal?.Body ?? '{}')).toEqual({ id: 'plain' });

    // Both are in flight for 60 s; returning the high one at once must act on the high queue.
    await queue.returnAfter({ messageId: high?.MessageId ?? '', receiptHandle: high?.ReceiptHandle ?? '', body: high?.Body ?? '', eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:lanes-high' }, 0);
    const again = await waitFor(async () => (await receive(urls.high)).Messages?.[0], { what: 'the high posting to be visible again' });
    expect(JSON.parse(again.Body ?? '{}')).toEqual({ id: 'urgent' });
    expect((await queue.depth()).inFlight).toBe(2);
  });
});
