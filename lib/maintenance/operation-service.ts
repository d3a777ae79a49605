/**
 * What the API does with bulk operations: start one (checked, then written as `running`, and
 * nothing else: the answer is the 202 at once), read one, list them. The work itself is the
 * operation runner's, a maintenance task (`operation-runner.ts`).
 */
import { randomBytes } from 'node:crypto';
import { LIMITS } from '../config.js';
import { parseOperationRequest } from './operation-request.js';
import { silentLogger, type Logger } from '../logger.js';
import { NO_COUNTS, operationId, type Operation, type OperationPage, type OperationStore } from './operation.js';

export interface OperationServiceDependencies {
  store: OperationStore;
  logger?: Logger;
  /** Epoch ms. */
  now?: () => number;
  /** Makes an operation's id from its creation time (default: `operationId` with 4 random bytes). */
  newId?: (nowMs: number) => string;
}

export class OperationService {
  private readonly logger: Logger;
  readonly now: () => number;
  private readonly newId: (nowMs: number) => string;

  constructor(private readonly deps: OperationServiceDependencies) {
    this.logger = deps.logger ?? silentLogger;
    this.now = deps.now ?? Date.now;
    this.newId = deps.newId ?? ((nowMs) => operationId(nowMs, randomBytes(4).toString('hex')));
  }

  /** Checks the body (`ValidationError` naming each bad field, nothing written) and writes the operation, `running`. */
  async create(body: unknown): Promise<Operation> {
    const request = parseOperationRequest(body);
    const now = this.now();
    const operation: Operation = { id: this.newId(now), ...request, state: 'running', ...NO_COUNTS, createdAt: now, updatedAt: now, position: { pass: 0, cursor: null } };
    const created = await this.deps.store.create(operation);
    this.logger.info('operation_created', { operationId: created.id, action: created.action, filter: created.filter });
    return created;
  }

  get(id: string): Promise<Operation> {
    return this.deps.store.get(id);
  }

  /** Newest first; `cursor` is the previous page's `nextCursor`. */
  list(query: { limit?: number; cursor?: string } = {}): Promise<OperationPage> {
    return this.deps.store.list(query.limit ?? LIMITS.listLimitDefault, query.cursor, this.now());
  }
}
