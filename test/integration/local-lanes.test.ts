/**
 * Priority lanes locally: the emulator has a queue per lane, and the event source poller starts
 * high postings before a backlog of low ones, deleting each record from the queue it came from.
 */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConductorHandler } from '../../functions/conductor.js';
import { SqsPostingQueue } from '../../lib/queue/sqs-posting-queue.js';
import { LANES, laneQueueName } from '../../lib/queues.js';
import { EventSourcePoller } from '../../local/event-source.js';
import { startSqsEmulator, type SqsEmulator } from '../../local/sqs-emulator.js';
import { sqsClient } from '../support/aws.js';
import { waitFor } from '../support/wait.js';

let emulator: SqsEmulator;
let sqs: SQSClient;
beforeAll(async () => {
  emulator = await startSqsEmulator({ conductorTimeoutSeconds: 1, visibilityTimeoutSeconds: 30 });
  sqs = sqsClient(emulator.endpoint);
});
afterAll(async () => {
  sqs?.destroy();
  await emulator?.stop();
});

async function messagesIn(url: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(Attributes.ApproximateNumberOfMessages ?? 0) + Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
}

describe('local priority lanes', () => {
  it('creates a queue per lane, each redriving to the one DLQ', async () => {
    for (const lane of LANES) {
      expect(emulator.laneUrls[lane].split('/').pop()).toBe(laneQueueName(lane));
      const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: emulator.laneUrls[lane], AttributeNames: ['RedrivePolicy', 'VisibilityTimeout'] }));
      expect(JSON.parse(Attributes.RedrivePolicy ?? '{}').deadLetterTargetArn).toMatch(/:postings-dlq$/);
      expect(Attributes.VisibilityTimeout).toBe('30');
    }
    expect(emulator.queueUrl).toBe(emulator.laneUrls.normal);
  });

  it('hands high postings to the conductor before a low backlog, and deletes each from its own queue', async () => {
    const postings = SqsPostingQueue.forLanes(sqs, emulator.laneUrls, emulator.deadLetterQueueUrl);
    await postings.send(Array.from({ length: 50 }, (_, n) => ({ id: `low-${n}`, lane: 'low', groupId: 'default' })));
    await postings.send(Array.from({ length: 3 }, (_, n) => ({ id: `high-${n}`, lane: 'high', groupId: 'default' })));

    const invocations: SQSRecord[][] = [];
    const handler: ConductorHandler = async (event: SQSEvent) => {
      invocations.push(event.Records);
      return { batchItemFailures: [] };
    };
    const poller = new EventSourcePoller({ sqs, queueUrls: LANES.map((lane) => emulator.laneUrls[lane]), handler, concurrency: 1, batchSize: 10 }).start();
    try {
      await waitFor(() => poller.stats.deleted === 53, { what: 'all 53 postings handled and deleted' });
    } finally {
      await poller.stop();
    }

    const ids = invocations.map((records) => records.map((r) => (JSON.parse(r.body) as { id: string }).id));
    // The high postings come first, in the first invocation(s), before any low one.
    const order = ids.flat();
    expect(order.slice(0, 3).sort()).toEqual(['high-0', 'high-1', 'high-2']);
    expect(order).toHaveLength(53);
    expect(new Set(order).size).toBe(53);
    // Each invocation's records name the queue of their lane.
    for (const records of invocations) {
      const lane = (JSON.parse(records[0]?.body ?? '{}') as { id: string }).id.startsWith('high') ? 'high' : 'low';
      for (const record of records) {
        expect(record.eventSourceARN).toBe(`arn:aws:sqs:us-east-1:000000000000:${laneQueueName(lane)}`);
        expect((JSON.parse(record.body) as { id: string }).id.startsWith(lane)).toBe(true);
      }
    }
    expect(poller.stats).toMatchObject({ records: 53, deleted: 53, failedInvocations: 0 });
    // Deleted from the right queues: nothing is left, visible or in flight, in any lane.
    for (const lane of LANES) expect(await messagesIn(emulator.laneUrls[lane])).toBe(0);
  });

  it('stops promptly while every lane is empty', async () => {
    const poller = new EventSourcePoller({ sqs, queueUrls: LANES.map((lane) => emulator.laneUrls[lane]), handler: async () => ({ batchItemFailures: [] }), concurrency: 2 }).start();
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    await poller.stop();
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
