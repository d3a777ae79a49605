/**
 * Every store on DynamoDB: each is the table-port store of its item kind over a `DynamoItemTable`
 * of one table, built from a DocumentClient and the table's name (what handlers and tests have).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StoreOptions } from '../config.js';
import { TableOperationStore, type TableOperationStoreOptions } from '../maintenance/table-operation-store.js';
import { TableScheduleStore } from '../schedules/table-schedule-store.js';
import { TableStreamCounters } from '../store/stream-counters.js';
import { TableJobStore, type JobStoreDependencies } from '../store/table-job-store.js';
import { TableTaskCursors } from '../store/task-cursors.js';
import { DynamoItemTable } from './dynamo-item-table.js';

export class DynamoJobStore extends TableJobStore {
  constructor(client: DynamoDBDocumentClient, options: Partial<StoreOptions> & { tableName: string }, dependencies: JobStoreDependencies = {}) {
    super(new DynamoItemTable(client, options.tableName), options, dependencies);
  }
}

export class DynamoScheduleStore extends TableScheduleStore {
  constructor(client: DynamoDBDocumentClient, tableName: string) {
    super(new DynamoItemTable(client, tableName));
  }
}

export class DynamoOperationStore extends TableOperationStore {
  constructor(client: DynamoDBDocumentClient, options: TableOperationStoreOptions & { tableName: string }) {
    super(new DynamoItemTable(client, options.tableName), options);
  }
}

export class DynamoStreamCounters extends TableStreamCounters {
  constructor(client: DynamoDBDocumentClient, tableName: string, now: () => number) {
    super(new DynamoItemTable(client, tableName), now);
  }
}

export class DynamoTaskCursors extends TableTaskCursors {
  constructor(client: DynamoDBDocumentClient, tableName: string) {
    super(new DynamoItemTable(client, tableName));
  }
}
