/**
 * Fair queues for the SQS emulator (DESIGN.md, Boards: "the local poller must be no less fair").
 *
 * On AWS a standard queue whose messages carry a `MessageGroupId` is a fair queue: one busy group
 * (board) cannot starve the others. fauxqs 1.9.2 does not implement this: for standard queues it
 * drops `MessageGroupId` on send, and its `dequeue` shifts messages strictly first-in first-out,
 * so a board with a backlog of 2,000 postings would hold up every other board's postings.
 *
 * This patches fauxqs's classes (not exported, so loaded from its dist/ by file URL, which is the
 * same module instance the server uses) in two small places:
 * - `SqsRouter.handle` / `SqsStore.createMessage`: a standard-queue message keeps the
 *   `MessageGroupId` it was sent with, as on AWS;
 * - `SqsQueue.dequeue` on standard queues: before the original takes messages from the front of
 *   `messages`, the visible messages are reordered round-robin across groups (least recently
 *   served group first; messages without a group form one group), in their existing order (the
 *   oldest first) within a group.
 * Start-up fails loudly if fauxqs's internals no longer look as expected.
 */

interface FauxqsMessage {
  body: string;
  messageGroupId?: string;
}
interface FauxqsQueue {
  messages: FauxqsMessage[];
  isFifo(): boolean;
  processTimers(): void;
}
type Dequeue = (this: FauxqsQueue, maxCount: number, ...rest: unknown[]) => unknown;
type Handle = (this: unknown, request: { headers: Record<string, unknown>; body: unknown }, reply: unknown) => unknown;
type CreateMessage = (body: string, ...rest: unknown[]) => FauxqsMessage;

const PATCHED = Symbol.for('jobboard.fairQueues');
const NO_GROUP = '\u0000no-group';

let installing: Promise<void> | undefined;

/** Patches fauxqs once per process; call before starting the emulator. */
export function installFairQueues(): Promise<void> {
  return (installing ??= install());
}

async function install(): Promise<void> {
  const dist = new URL('./', import.meta.resolve('fauxqs'));
  const store = (await import(new URL('sqs/sqsStore.js', dist).href)) as Record<string, unknown>;
  const router = (await import(new URL('sqs/sqsRouter.js', dist).href)) as Record<string, unknown>;
  const SqsQueue = store.SqsQueue as { prototype: Record<string | symbol, unknown> } | undefined;
  const SqsStore = store.SqsStore as Record<string | symbol, unknown> | undefined;
  const SqsRouter = router.SqsRouter as { prototype: Record<string | symbol, unknown> } | undefined;
  const expected =
    typeof SqsQueue?.prototype.dequeue === 'function' &&
    typeof SqsQueue.prototype.isFifo === 'function' &&
    typeof SqsQueue.prototype.processTimers === 'function' &&
    typeof SqsStore?.createMessage === 'function' &&
    typeof SqsRouter?.prototype.handle === 'function';
  if (!expected || !SqsQueue || !SqsStore || !SqsRouter) {
    throw new Error('fauxqs internals changed (SqsQueue.dequeue, SqsStore.createMessage or SqsRouter.handle not found): update local/fair-queues.ts');
  }
  if (SqsQueue.prototype[PATCHED]) return;
  SqsQueue.prototype[PATCHED] = true;

  // 1. Keep MessageGroupId on standard-queue messages. Actions run synchronously inside
  // handle(), so the entries of the request being handled are known when createMessage runs.
  let sending: { MessageBody?: unknown; MessageGroupId?: unknown }[] | undefined;
  const handle = SqsRouter.prototype.handle as Handle;
  SqsRouter.prototype.handle = function (this: unknown, request, reply) {
    const action = String(request.headers['x-amz-target'] ?? '').replace('AmazonSQS.', '');
    const body = (request.body ?? {}) as { Entries?: unknown };
    sending = action === 'SendMessage' ? [body] : action === 'SendMessageBatch' && Array.isArray(body.Entries) ? [...body.Entries] : undefined;
    try {
      return handle.call(this, request, reply);
    } finally {
      sending = undefined;
    }
  } satisfies Handle;
  const createMessage = SqsStore.createMessage as CreateMessage;
  SqsStore.createMessage = function (this: unknown, body: string, ...rest: unknown[]) {
    const message = createMessage.call(this, body, ...rest);
    if (message.messageGroupId === undefined && sending !== undefined) {
      // Entries are created in order; entries refused before creation are skipped over.
      const at = sending.findIndex((entry) => entry.MessageBody === body);
      const group = sending[at]?.MessageGroupId;
      if (typeof group === 'string' && group !== '') message.messageGroupId = group;
      if (at >= 0) sending.splice(0, at + 1);
    }
    return message;
  } satisfies CreateMessage;

  // 2. Round-robin across groups on standard queues.
  const dequeue = SqsQueue.prototype.dequeue as Dequeue;
  const served = new WeakMap<FauxqsQueue, Map<string, number>>();
  SqsQueue.prototype.dequeue = function (this: FauxqsQueue, maxCount: number, ...rest: unknown[]) {
    if (!this.isFifo()) {
      this.processTimers();
      const lastServed = served.get(this) ?? new Map<string, number>();
      served.set(this, lastServed);
      this.messages = fairOrder(this.messages, Math.min(maxCount, 10), lastServed);
    }
    return dequeue.call(this, maxCount, ...rest);
  } satisfies Dequeue;
}

let tick = 0;

/**
 * The messages interleaved across groups: least recently served group first (groups never
 * served in order of their oldest message), each group's messages in their order. The groups of
 * the first `taking` messages are marked served.
 */
export function fairOrder<M extends { messageGroupId?: string }>(messages: M[], taking: number, lastServed: Map<string, number>): M[] {
  if (messages.length <= 1) return messages;
  const groups = new Map<string, M[]>();
  for (const message of messages) {
    const group = message.messageGroupId ?? NO_GROUP;
    const list = groups.get(group);
    if (list) list.push(message);
    else groups.set(group, [message]);
  }
  if (groups.size > 1) {
    const order = [...groups.keys()].sort((a, b) => (lastServed.get(a) ?? -1) - (lastServed.get(b) ?? -1));
    const lists = order.map((group) => groups.get(group) as M[]);
    const interleaved: M[] = [];
    for (let round = 0; interleaved.length < messages.length; round++) {
      for (const list of lists) if (round < list.length) interleaved.push(list[round] as M);
    }
    messages = interleaved;
  }
  for (const message of messages.slice(0, taking)) lastServed.set(message.messageGroupId ?? NO_GROUP, ++tick);
  // Forget groups that have left the queue, so the map stays small.
  if (lastServed.size > 2 * groups.size + 100) for (const group of lastServed.keys()) if (!groups.has(group)) lastServed.delete(group);
  return messages;
}
