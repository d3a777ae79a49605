/**
 * The EventBridge publisher against a mocked client (there is no EventBridge emulator): batching,
 * per-job order, partial failures and throttling.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE, EventBridgePublisher, PUT_EVENTS_MAX_BYTES, chunksOf, entryBytes } from '../../lib/events/eventbridge-publisher.js';
import type { JobStateChange } from '../../lib/events/state-change.js';

const eventBridge = mockClient(EventBridgeClient);
afterEach(() => eventBridge.reset());

const change = (id: string, version = 1, state: JobStateChange['state'] = 'posted'): JobStateChange => ({
  id, board: 'default', type: 'demo.echo', state, previousState: null, attempt: 0, version, at: '2024-05-01T12:00:00.000Z',
});
const jobs = (n: number) => Array.from({ length: n }, (_, i) => change(`j${i}`));

/** Each request's entries, as the changes they carry. */
const sent = () => eventBridge.commandCalls(PutEventsCommand).map((call) => (call.args[0].input as PutEventsCommandInput).Entries!.map((e) => JSON.parse(e.Detail!) as JobStateChange));
const ok = (input: PutEventsCommandInput): PutEventsResultEntry[] => input.Entries!.map((_, n) => ({ EventId: `e${n}` }));

function publisher(sleeps: number[] = []): EventBridgePublisher {
  return new EventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' }), {
    eventBusName: 'jobboard-bus',
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 1,
  });
}

describe('EventBridgePublisher', () => {
  it('sends each change as a Job State Change of source jobboard, on the bus, at its write time', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({ FailedEntryCount: 0, Entries: ok(input) }));
    expect(await publisher().publish([change('a')])).toBe(1);
    const [entry] = (eventBridge.commandCalls(PutEventsCommand)[0]!.args[0].input as PutEventsCommandInput).Entries!;
    expect(entry).toEqual({ Source: EVENT_SOURCE, DetailType: EVENT_DETAIL_TYPE, EventBusName: 'jobboard-bus', Time: new Date('2024-05-01T12:00:00.000Z'), Detail: JSON.stringify(change('a')) });
    expect(EVENT_SOURCE).toBe('jobboard');
    expect(EVENT_DETAIL_TYPE).toBe('Job State Change');
  });

  it('batches 25 changes into requests of 10, 10 and 5, in order', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({ FailedEntryCount: 0, Entries: ok(input) }));
    expect(await publisher().publish(jobs(25))).toBe(25);
    expect(sent().map((request) => request.length)).toEqual([10, 10, 5]);
    expect(sent().flat().map((c) => c.id)).toEqual(jobs(25).map((c) => c.id));
  });

  it('never puts two changes of one job in one request, so a job’s changes leave in version order', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({ FailedEntryCount: 0, Entries: ok(input) }));
    const changes = [change('a', 1), change('b', 1), change('a', 2, 'claimed'), change('a', 3, 'completed'), change('b', 2, 'claimed')];
    expect(await publisher().publish(changes)).toBe(5);
    expect(sent().map((request) => request.map((c) => `${c.id}${c.version}`))).toEqual([['a1', 'b1'], ['a2'], ['a3', 'b2']]);
  });

  it('keeps each request within 256 KB as EventBridge counts it', () => {
    const big = (id: string): JobStateChange => ({ ...change(id), type: 'x'.repeat(60 * 1024) });
    const chunks = chunksOf([big('a'), big('b'), big('c'), big('d'), big('e')], (c) => ({ Source: 'jobboard', DetailType: 'Job State Change', Detail: JSON.stringify(c), EventBusName: 'b', Time: new Date(0) }));
    expect(chunks.map((c) => c.length)).toEqual([4, 1]);
    for (const chunk of chunks) expect(chunk.reduce((sum, entry) => sum + entryBytes(entry), 0)).toBeLessThanOrEqual(PUT_EVENTS_MAX_BYTES);
  });

  it('an entry that keeps failing stops the publish: the answer counts the leading changes published, later chunks are not sent', async () => {
    // Entry 4 of the first request (j3) is always refused; the others go through.
    eventBridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({
      FailedEntryCount: 1,
      Entries: input.Entries!.map((entry, n) => (JSON.parse(entry.Detail!).id === 'j3' ? { ErrorCode: 'InternalFailure', ErrorMessage: 'no' } : { EventId: `e${n}` })),
    }));
    const sleeps: number[] = [];
    expect(await publisher(sleeps).publish(jobs(25))).toBe(3);
    // The first request, then j3 alone three more times (4 tries); the second and third chunks never go.
    expect(sent().map((request) => request.map((c) => c.id))).toEqual([jobs(10).map((c) => c.id), ['j3'], ['j3'], ['j3']]);
    expect(sleeps).toEqual([100, 200, 400]);
  });

  it('throttled entries are sent again with backoff, and only they', async () => {
    let call = 0;
    eventBridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => {
      call++;
      // First request: j1 and j4 throttled; second (their resend): j4 throttled again; third: all through.
      const throttled = call === 1 ? ['j1', 'j4'] : call === 2 ? ['j4'] : [];
      const entries = input.Entries!.map((entry, n) => (throttled.includes(JSON.parse(entry.Detail!).id) ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' } : { EventId: `e${n}` }));
      return { FailedEntryCount: throttled.length, Entries: entries };
    });
    const sleeps: number[] = [];
    expect(await publisher(sleeps).publish(jobs(6))).toBe(6);
    expect(sent().map((request) => request.map((c) => c.id))).toEqual([['j0', 'j1', 'j2', 'j3', 'j4', 'j5'], ['j1', 'j4'], ['j4']]);
    expect(sleeps).toEqual([100, 200]);
  });

  it('a request that fails outright: later chunks are not sent, and the count says what the earlier ones published', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 0, Entries: jobs(10).map((_, n) => ({ EventId: `e${n}` })) })
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    expect(await publisher().publish(jobs(25))).toBe(10);
    expect(sent()).toHaveLength(2);
  });

  it('a request that fails before anything was published throws, so the caller can log why', async () => {
    eventBridge.on(PutEventsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(publisher().publish(jobs(3))).rejects.toThrow('denied');
  });

  it('rejects options that could not work, naming them', () => {
    const client = new EventBridgeClient({ region: 'us-east-1' });
    expect(() => new EventBridgePublisher(client, { eventBusName: '' })).toThrow(/eventBusName/);
    expect(() => new EventBridgePublisher(client, { eventBusName: 'b', maxTries: 0 })).toThrow(/maxTries/);
  });
});
