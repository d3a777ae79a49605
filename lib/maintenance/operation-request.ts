/**
 * The body of `POST /operations` and the query of `GET /operations`, as the HTTP contract checks
 * them (DESIGN.md, Bulk operations). Every problem is a `ValidationError` naming its field
 * (`action`, `filter.state`, …), found before anything is written.
 */
import * as z from 'zod/mini';
import { LIMITS } from '../config.js';
import { ValidationError } from '../errors.js';
import { ACTION_STATES, OPERATION_ACTIONS, type OperationRequest } from './operation.js';
import { parseWith } from '../schema.js';
import { JOB_STATES } from '../states.js';
import { boardName } from '../boards/board.js';

const isoTime = z.iso.datetime({ offset: true });

/** Which jobs: every field narrows; none at all means every job the action applies to. Times are ISO-8601 with an offset. */
export const operationFilterSchema = z.strictObject({
  board: z.optional(boardName),
  /** One of the states the action moves jobs out of; absent: all of them. */
  state: z.optional(z.enum(JOB_STATES)),
  type: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  /** Jobs created at or after this instant. */
  createdAfter: z.optional(isoTime),
  /** Jobs created before this instant. */
  createdBefore: z.optional(isoTime),
});

export const operationRequestSchema = z
  .strictObject({ action: z.enum(OPERATION_ACTIONS), filter: operationFilterSchema })
  .check(
    z.refine((body) => body.filter.state === undefined || ACTION_STATES[body.action].includes(body.filter.state), {
      message: 'the action does not apply to jobs in this state',
      path: ['filter', 'state'],
    }),
    z.refine((body) => body.filter.createdAfter === undefined || body.filter.createdBefore === undefined || Date.parse(body.filter.createdAfter) < Date.parse(body.filter.createdBefore), {
      message: 'must be after createdAfter',
      path: ['filter', 'createdBefore'],
    }),
  );

/** Operation ids: a time part then a random part (`operation-service.ts` makes them). */
export const OPERATION_ID_PATTERN = /^[0-9a-z]{9}-[0-9a-f]{8}$/;

export const operationListQuerySchema = z.strictObject({
  limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(LIMITS.listLimitMax))),
  /** The `nextCursor` of the previous page. */
  cursor: z.optional(z.string().check(z.regex(OPERATION_ID_PATTERN, 'not a cursor this API issued'))),
});

export type OperationBody = z.input<typeof operationRequestSchema>;

/** Parses and checks a `POST /operations` body; throws `ValidationError` listing every problem. */
export function parseOperationRequest(body: unknown): OperationRequest {
  const parsed = parseWith(operationRequestSchema, body, '(body)');
  if (!parsed.success) throw new ValidationError('invalid operation', parsed.issues);
  const { action, filter } = parsed.data;
  return {
    action,
    filter: {
      ...(filter.board === undefined ? {} : { board: filter.board }),
      ...(filter.state === undefined ? {} : { state: filter.state }),
      ...(filter.type === undefined ? {} : { type: filter.type }),
      ...(filter.createdAfter === undefined ? {} : { createdAfter: Date.parse(filter.createdAfter) }),
      ...(filter.createdBefore === undefined ? {} : { createdBefore: Date.parse(filter.createdBefore) }),
    },
  };

}
