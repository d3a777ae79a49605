/**
 * A `JobStore` on a table in memory: the same store as on DynamoDB (every transition, refusal
 * and follow-up is the table-port store's), over `MemoryItemTable`. For the engine's unit and
 * property tests; held to the store conformance suite.
 */
import type { StoreOptions } from '../config.js';
import { TableJobStore, type JobStoreDependencies } from '../store/table-job-store.js';
import { MemoryItemTable } from './memory-item-table.js';

export class MemoryJobStore extends TableJobStore {
  /** The table, to share it with other stores (schedules, operations) or look at it whole. */
  readonly memory: MemoryItemTable;

  constructor(options: Partial<StoreOptions> = {}, dependencies: JobStoreDependencies = {}, table: MemoryItemTable = new MemoryItemTable()) {
    super(table, { tableName: 'memory', ...options }, dependencies);
    this.memory = table;
  }
}
