/**
 * The local emulator is no less fair than AWS fair queues: on a standard queue, one message
 * group's backlog does not hold up another group's messages (DESIGN.md, Boards).
 */
import { ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqsEmulator, type SqsEmulator } from '../../local/sqs-emulator.js';
import { sqsClient } from '../support/aws.js';

let emulator: SqsEmulator;
let sqs: SQSClient;
beforeAll(async () => {
  emulator = await startSqsEmulator({ conductorTimeoutSeconds: 1, visibilityTimeoutSeconds: 60 });
  sqs = sqsClient(emulator.endpoint);
});
afterAll(async () => {
  sqs?.destroy();
  await emulator?.stop();
});

async function send(url: string, group: string | undefined, count: number): Promise<void> {
  for (let i = 0; i < count; i += 10) {
    const entries = Array.from({ length: Math.min(10, count - i) }, (_, n) => ({ Id: String(n), MessageBody: `${group ?? '-'}:${i + n}`, MessageGroupId: group }));
    const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    expect(result.Failed ?? []).toEqual([]);
  }
}

async function receive(url: string): Promise<{ body: string; group: string | undefined }[]> {
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['MessageGroupId'] }));
  return Messages.map((m) => ({ body: m.Body ?? '', group: m.Attributes?.MessageGroupId }));
}

describe('local fair queues', () => {
  it('delivers a small group promptly behind a large backlog of another group', async () => {
    const url = emulator.laneUrls.low;
    await send(url, 'A', 200);
    await send(url, 'B', 5);
    const first = [...(await receive(url)), ...(await receive(url))];
    expect(first).toHaveLength(20);
    expect(first.filter((m) => m.group === 'B').map((m) => m.body).sort()).toEqual(['B:0', 'B:1', 'B:2', 'B:3', 'B:4']);
    // Oldest first within a group.
    const a = first.filter((m) => m.group === 'A').map((m) => Number(m.body.split(':')[1]));
    expect(a).toEqual([...a].sort((x, y) => x - y));
    expect(a[0]).toBe(0);
  });

  it('rotates across many groups and treats messages without a group as one group', async () => {
    const url = emulator.laneUrls.high;
    for (const group of ['g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7', 'g8', 'g9', 'g10', 'g11', 'g12']) await send(url, group, 3);
    await send(url, undefined, 3);
    // 13 groups, 10 per receive: the first 13 messages come one from each group.
    const first = [...(await receive(url)), ...(await receive(url))].slice(0, 13);
    expect(new Set(first.map((m) => m.group ?? 'none')).size).toBe(13);
  });

  it('keeps the group of a message sent on its own, as SQS reports it on receive', async () => {
    const url = emulator.laneUrls.normal;
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'solo', MessageGroupId: 'board-7' }));
    expect(await receive(url)).toEqual([{ body: 'solo', group: 'board-7' }]);
  });
});
