/** A bulk operation as the HTTP API shows it (ISO-8601 times, absent ones null), as a schema and a mapping. */
import * as z from 'zod/mini';
import { OPERATION_ACTIONS, OPERATION_STATES, type Operation } from '../maintenance/operation.js';
import { JOB_STATES } from '../states.js';

const isoTime = z.iso.datetime({ offset: true });

export const operationViewSchema = z.object({
  id: z.string(),
  action: z.enum(OPERATION_ACTIONS),
  /** The filter as posted (times in UTC); fields not given are absent. */
  filter: z.object({
    board: z.optional(z.string()),
    state: z.optional(z.enum(JOB_STATES)),
    type: z.optional(z.string()),
    createdAfter: z.optional(isoTime),
    createdBefore: z.optional(isoTime),
  }),
  /** `running` until every matching job is dealt with: then `succeeded`, or `failed` (see `error`). */
  state: z.enum(OPERATION_STATES),
  /** Jobs that matched the filter so far. */
  matched: z.int(),
  /** Jobs the action was applied to (a running job: its run was asked to stop). */
  done: z.int(),
  /** Jobs that changed between the match and the write: left as they were. */
  skipped: z.int(),
  /** Jobs whose transition failed for another reason. */
  failed: z.int(),
  /** Why a failed operation stopped. */
  error: z.nullable(z.string()),
  createdAt: isoTime,
  updatedAt: isoTime,
  endedAt: z.nullable(isoTime),
});
export const operationPageSchema = z.object({ operations: z.array(operationViewSchema), nextCursor: z.nullable(z.string()) });

export type OperationView = z.output<typeof operationViewSchema>;

const iso = (ms: number): string => new Date(ms).toISOString();

export function toOperationView(operation: Operation): OperationView {
  const { filter } = operation;
  return {
    id: operation.id,
    action: operation.action,
    filter: {
      ...(filter.board === undefined ? {} : { board: filter.board }),
      ...(filter.state === undefined ? {} : { state: filter.state }),
      ...(filter.type === undefined ? {} : { type: filter.type }),
      ...(filter.createdAfter === undefined ? {} : { createdAfter: iso(filter.createdAfter) }),
      ...(filter.createdBefore === undefined ? {} : { createdBefore: iso(filter.createdBefore) }),
    },
    state: operation.state,
    matched: operation.matched,
    done: operation.done,
    skipped: operation.skipped,
    failed: operation.failed,
    error: operation.error ?? null,
    createdAt: iso(operation.createdAt),
    updatedAt: iso(operation.updatedAt),
    endedAt: operation.endedAt === undefined ? null : iso(operation.endedAt),
  };
}
