export { MemoryItemTable } from './memory-item-table.js';
export { MemoryJobStore } from './memory-job-store.js';
