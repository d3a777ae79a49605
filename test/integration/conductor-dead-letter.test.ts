/**
 * A failed job's posting always reaches the dead-letter queue, even when the send fails or the
 * conductor dies right after the failing write: the job keeps `deadLetterReason` until its copy
 * is in the DLQ, and a redelivered posting that finds it set sends the copy. The failed send is
 * injected with aws-sdk-client-mock on the conductor's SQS client; every other request goes
 * through to the emulator.
 */
import { ChangeMessageVisibilityCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postBody } from '../support/jobs.js';
import { SqsPostingQueue } from '../../lib/queue/sqs-posting-queue.js';
import { Conductor } from '../../lib/run/conductor.js';
import { sqsClient } from '../support/aws.js';
import { BoardHarness } from '../support/board-harness.js';
import { waitFor } from '../support/wait.js';

const h = new BoardHarness({ conductor: { leaseMs: 1_000, leaseMarginMs: 500 }, visibilityTimeoutSeconds: 3 });
const faults = { deadLetterSends: 0 };

beforeAll(async () => {
  await h.start();
  const faulty = sqsClient(h.queue.endpoint);
  mockClient(faulty)
    .onAnyCommand()
    .callsFake(() => {
      throw new Error('unexpected SQS command on the conductor path');
    })
    .on(ChangeMessageVisibilityCommand)
    .callsFake((input) => h.sqs.send(new ChangeMessageVisibilityCommand(input)))
    .on(SendMessageCommand)
    .callsFake(async (input) => {
      if (input.QueueUrl === h.queue.deadLetterQueueUrl && faults.deadLetterSends > 0) {
        faults.deadLetterSends--;
        throw Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' });
      }
      return h.sqs.send(new SendMessageCommand(input));
    });
  const conductor = new Conductor({ store: h.store, queue: SqsPostingQueue.single(faulty, h.queue.queueUrl, h.queue.deadLetterQueueUrl), registry: h.registry, events: h.bus, logger: h.logger, now: h.clock.now, options: h.conductor.options });
  h.startPolling({ conductor });
});
afterAll(() => h.stop());

/** The DLQ copies of one job's postings, once at least one is there. */
function copiesOf(jobId: string) {
  return () => h.deadLettersWhere((letter) => (JSON.parse(letter.body) as { id: string }).id === jobId);
}

describe('the dead-letter copy of a failed job', () => {
  it('is sent by the redelivered posting when the send after the failing write fails', async () => {
    faults.deadLetterSends = 1;
    const { job } = await h.post({ type: 'demo.fail', payload: { message: 'poison' }, maxAttempts: 1 });

    const copies = await waitFor(copiesOf(job.id), { what: 'the DLQ copy' });
    expect(faults.deadLetterSends).toBe(0);
    expect(copies).toEqual([{ body: JSON.stringify({ id: job.id }), reason: 'attempts exhausted (1 of 1)' }]);
    expect(h.events('record_failed').length).toBeGreaterThanOrEqual(1);
    const stored = await h.store.get(job.id);
    expect(stored).toMatchObject({ state: 'failed', attempts: 1 });
    expect(stored.errors).toHaveLength(1); // not run again
    expect(stored.deadLetterReason).toBeUndefined();
  });

  it('is sent by the next posting after a crash between the failing write and the send, once', async () => {
    // What a conductor that died right after `fail` leaves behind: the job failed, no copy sent.
    // Posted to the store alone, so the only posting is the redelivery sent below.
    const { job: posted } = await postBody(h.store, { type: 'demo.fail', maxAttempts: 1 });
    const claimed = await h.store.claim(posted.id, { owner: 'crashed-conductor', leaseMs: 60_000 });
    const { job: failed } = await h.store.fail(claimed, { name: 'Error', message: 'boom' }, 'permanent error');
    expect(failed.deadLetterReason).toBe('permanent error');

    await h.postings.send([{ id: posted.id }]);
    expect(await waitFor(copiesOf(posted.id), { what: 'the DLQ copy' })).toEqual([{ body: JSON.stringify({ id: posted.id }), reason: 'permanent error' }]);
    await waitFor(async () => (await h.store.get(posted.id)).deadLetterReason === undefined, { what: 'the copy to be recorded' });

    // Once recorded, another posting of the failed job is dropped, not copied again.
    const dropped = h.events('posting_dropped', posted.id).length;
    await h.postings.send([{ id: posted.id }]);
    await waitFor(() => h.events('posting_dropped', posted.id).length > dropped, { what: 'the later posting to be dropped' });
    expect(await copiesOf(posted.id)()).toHaveLength(1);
  });

  it('is no longer owed once an operator retries the job, and recording an old copy leaves a later failure owed', async () => {
    // Posted to the store alone: no posting, so no conductor takes part.
    const { job: posted } = await postBody(h.store, { type: 'demo.fail', maxAttempts: 1 });
    const { job: first } = await h.store.fail(await h.store.claim(posted.id, { owner: 'first', leaseMs: 60_000 }), { name: 'Error', message: 'one' }, 'permanent error');
    const { job: retried } = await h.store.retry(posted.id);
    expect(retried).toMatchObject({ state: 'posted', attempts: 0 });
    expect(retried.deadLetterReason).toBeUndefined();

    h.clock.offsetMs += 1_000; // the second failure ends at another millisecond
    try {
      await h.store.fail(await h.store.claim(posted.id, { owner: 'second', leaseMs: 60_000 }), { name: 'Error', message: 'two' }, 'attempts exhausted (1 of 1)');
    } finally {
      h.clock.offsetMs -= 1_000;
    }
    await h.store.deadLettered(first); // a late record of the first failure's copy
    expect((await h.store.get(posted.id)).deadLetterReason).toBe('attempts exhausted (1 of 1)');
  });
});
