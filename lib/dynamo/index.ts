export { DynamoItemTable } from './dynamo-item-table.js';
export { DynamoJobStore, DynamoOperationStore, DynamoScheduleStore, DynamoStreamCounters, DynamoTaskCursors } from './stores.js';
