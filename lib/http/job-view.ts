/** The job as the HTTP API shows it (ISO-8601 times, absent ones null), as a schema and a mapping. */
import * as z from 'zod/mini';
import type { Job } from '../model.js';
import { JOB_STATES } from '../states.js';

const isoTime = z.iso.datetime({ offset: true });
const isoOrNull = z.nullable(isoTime);

export const jobViewSchema = z.object({
  id: z.string(),
  type: z.string(),
  typeVersion: z.int(),
  state: z.enum(JOB_STATES),
  board: z.string(),
  priority: z.enum(['high', 'normal', 'low']),
  /** A stop asked of the running attempt, still to be carried out. */
  stopRequested: z.nullable(z.enum(['cancel', 'suspend'])),
  scopes: z.array(z.object({ key: z.string(), limit: z.int() })),
  uniqueKey: z.nullable(z.string()),
  dependsOn: z.array(z.string()),
  /** The parents not yet final. */
  waitingOn: z.array(z.string()),
  onParentFailure: z.enum(['fail', 'run']),
  payload: z.record(z.string(), z.unknown()),
  result: z.unknown(),
  attempts: z.int(),
  maxAttempts: z.int(),
  owner: z.nullable(z.string()),
  leaseExpiresAt: isoOrNull,
  errors: z.array(z.object({ attempt: z.int(), at: isoTime, name: z.string(), message: z.string() })),
  /** The last 20 attempts, oldest first. */
  history: z.array(
    z.object({
      attempt: z.int(),
      owner: z.string(),
      startedAt: isoTime,
      endedAt: isoTime,
      outcome: z.enum(['completed', 'abandoned', 'failed', 'lost', 'cancelled', 'suspended']),
      error: z.nullable(z.object({ name: z.string(), message: z.string() })),
    }),
  ),
  /** What the job last reported with `ctx.progress()`: a percentage or a small object. */
  progress: z.unknown(),
  createdAt: isoTime,
  startedAt: isoOrNull,
  endedAt: isoOrNull,
  runAt: isoOrNull,
  dispatchBy: isoOrNull,
  timeoutSeconds: z.int(),
});

/** A job as the HTTP API shows it. */
export type JobView = z.output<typeof jobViewSchema>;

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export function toJobView(job: Job): JobView {
  return {
    id: job.id,
    type: job.type,
    typeVersion: job.typeVersion,
    state: job.state,
    board: job.board ?? 'default',
    priority: job.priority ?? 'normal',
    stopRequested: job.stopRequested ?? null,
    scopes: job.scopes ?? [],
    uniqueKey: job.uniqueKey ?? null,
    dependsOn: job.dependsOn ?? [],
    waitingOn: job.waitingOn ?? [],
    onParentFailure: job.onParentFailure ?? 'fail',
    payload: job.payload,
    result: job.result ?? null,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    owner: job.owner ?? null,
    leaseExpiresAt: iso(job.leaseExpiresAt),
    errors: job.errors.map((e) => ({ attempt: e.attempt, at: new Date(e.at).toISOString(), name: e.name, message: e.message })),
    history: (job.history ?? []).map((a) => ({
      attempt: a.attempt,
      owner: a.owner,
      startedAt: new Date(a.startedAt).toISOString(),
      endedAt: new Date(a.endedAt).toISOString(),
      outcome: a.outcome,
      error: a.error ?? null,
    })),
    progress: job.progress ?? null,
    createdAt: new Date(job.createdAt).toISOString(),
    startedAt: iso(job.startedAt),
    endedAt: iso(job.endedAt),
    runAt: iso(job.waitUntil),
    dispatchBy: iso(job.dispatchBy),
    timeoutSeconds: job.timeoutSeconds,
  };
}
