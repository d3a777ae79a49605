/**
 * HTTP helpers of the soak: a plain GET, a request retried through kills (connection errors,
 * timeouts, 5xx and 429 are tried again until the budget ends), and the final read-back of every
 * accepted job.
 */
import type { Position } from './detector.js';
import type { RunningStack, SoakStack } from './stack-process.js';
import { sleep, untilDeadline } from './time.js';

/** A job read back at the end with `GET /jobs/{id}`. */
export interface ReadBack {
  status: number;
  state?: string;
  attempts?: number;
  maxAttempts?: number;
  owner?: string | null;
  result?: unknown;
  board?: string;
  priority?: string;
  stopRequested?: string | null;
  /** The job's attempt history (its last 20), oldest first; times in epoch ms. */
  history?: { attempt: number; owner: string; startedAtMs: number; endedAtMs: number; outcome: string }[];
  /** Times of the job (epoch ms): written, first claimed, final. */
  createdAtMs?: number;
  startedAtMs?: number;
  endedAtMs?: number;
  scopes?: { key: string; limit: number }[];
  uniqueKey?: string | null;
  dependsOn?: string[];
  /** Parents not yet final. */
  waitingOn?: string[];
  onParentFailure?: string;
  /** Names of the errors recorded (the last 10), oldest first. */
  errorNames?: string[];
  /** The stack's log position when the GET was sent. */
  readAt: Position;
}

/** Per-request timeout: a request to a stack that hangs (stopped by a kill mid-flight) must end. */
const REQUEST_TIMEOUT_MS = 15_000;

export async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  } catch {
    return { status: 0, body: undefined };
  }
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  /** The lifetime that answered. */
  lifetime: number;
  /** An earlier try may have reached the stack (its answer was lost): the outcome of that try is unknown. */
  retried: boolean;
  atMs: number;
}

/**
 * Sends `method path` until it gets an answer other than 5xx or 429, or `deadline` passes
 * (undefined then). A stack that is down is waited for.
 */
export async function requestThroughKills(stack: SoakStack, method: string, path: string, deadline: number, body?: unknown): Promise<Answer | undefined> {
  let retried = false;
  let pause = 100;
  while (Date.now() < deadline) {
    const current: RunningStack | undefined = stack.current ?? (await untilDeadline(stack.whenUp(), deadline));
    if (current === undefined) return undefined;
    try {
      const response = await fetch(`${current.url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      if (response.status < 500 && response.status !== 429) {
        const parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
        return { status: response.status, body: parsed, lifetime: current.index, retried, atMs: Date.now() };
      }
      // 503 changed nothing (the API says so); other 5xx might have: count them as unknown too.
      if (response.status !== 503) retried = true;
    } catch {
      // Refused, reset or timed out: the request may or may not have been carried out.
      retried = true;
    }
    await sleep(pause);
    pause = Math.min(1_000, pause * 2);
  }
  return undefined;
}

/** GETs every job, 16 at a time, retrying connection errors a few times. */
export async function readAll(baseUrl: string, ids: readonly string[], into: Map<string, ReadBack>, position: () => Position): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++] as string;
      let got = { status: 0, body: undefined as unknown };
      let readAt = position();
      for (let tries = 0; tries < 5 && got.status === 0; tries++) {
        readAt = position();
        got = await getJson(`${baseUrl}/jobs/${encodeURIComponent(id)}`);
        if (got.status === 0) await sleep(500);
      }
      const job = (got.status === 200 ? got.body : {}) as Record<string, unknown>;
      const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
      const time = (value: unknown) => (typeof value === 'string' ? Date.parse(value) : undefined);
      const strings = (value: unknown) => (Array.isArray(value) ? value.map(String) : undefined);
      into.set(id, {
        status: got.status,
        state: text(job.state),
        attempts: typeof job.attempts === 'number' ? job.attempts : undefined,
        maxAttempts: typeof job.maxAttempts === 'number' ? job.maxAttempts : undefined,
        owner: typeof job.owner === 'string' ? job.owner : null,
        result: job.result,
        board: text(job.board),
        priority: text(job.priority),
        stopRequested: text(job.stopRequested) ?? null,
        createdAtMs: time(job.createdAt),
        startedAtMs: time(job.startedAt),
        endedAtMs: time(job.endedAt),
        scopes: Array.isArray(job.scopes) ? (job.scopes as { key: string; limit: number }[]) : undefined,
        uniqueKey: text(job.uniqueKey) ?? null,
        dependsOn: strings(job.dependsOn),
        waitingOn: strings(job.waitingOn),
        onParentFailure: text(job.onParentFailure),
        errorNames: Array.isArray(job.errors) ? job.errors.map((e) => String((e as Record<string, unknown>).name)) : undefined,
        history: Array.isArray(job.history)
          ? job.history.map((entry) => {
              const a = entry as Record<string, unknown>;
              return { attempt: Number(a.attempt), owner: String(a.owner), startedAtMs: Date.parse(String(a.startedAt)), endedAtMs: Date.parse(String(a.endedAt)), outcome: String(a.outcome) };
            })
          : undefined,
        readAt,
      });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}
