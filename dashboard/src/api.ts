/**
 * The API calls the dashboard makes, typed with the HTTP contract's own (zod-inferred) types.
 * Of lib/ only plain constants reach the bundle (states, actions); the schemas stay out.
 */
import type { BoardList, BoardPatchBody, BoardView, ListQuery as ContractListQuery, JobPage, JobView, OperationBody, OperationPage, OperationView, ScheduleList, Stats } from '../../lib/http/contract.js';
import { pathWithQuery, request, segment } from './request.js';

export type { BoardView, JobPage, JobView, OperationView, ScheduleList, Stats };

/** `GET /jobs`'s query as the page sends it (the contract's input type leaves `limit` loose: it is coerced from text). */
export type ListQuery = Omit<ContractListQuery, 'limit'> & { limit?: number };

/** What a bulk operation does to each job it matches. */
export type BulkAction = OperationView['action'];
export { OPERATION_ACTIONS as BULK_ACTIONS, ACTION_STATES } from '../../lib/maintenance/operation.js';

/** The jobs a bulk operation applies to; every field narrows. Times are ISO-8601. */
export type OperationFilter = OperationView['filter'];

const get = <T>(path: string, query?: Parameters<typeof pathWithQuery>[1]) => request<T>('GET', pathWithQuery(path, query));

export const api = {
  listJobs: (query: ListQuery) => get<JobPage>('/jobs', { ...query }),
  getJob: (id: string) => get<JobView>(`/jobs/${segment(id)}`),
  /** failed/trashed → posted, with a fresh attempt budget. */
  retryJob: (id: string) => request<JobView>('POST', `/jobs/${segment(id)}/retry`),
  /** Trashes a job that is not running; a running one is asked to stop (`stopRequested: "cancel"`). */
  trashJob: (id: string) => request<JobView>('DELETE', `/jobs/${segment(id)}`),
  suspendJob: (id: string) => request<JobView>('POST', `/jobs/${segment(id)}/suspend`),
  resumeJob: (id: string) => request<JobView>('POST', `/jobs/${segment(id)}/resume`),
  stats: (board?: string) => get<Stats>('/stats', { board }),
  listBoards: () => get<BoardList>('/boards'),
  updateBoard: (name: string, patch: BoardPatchBody) => request<BoardView>('PUT', `/boards/${segment(name)}`, patch),
  listSchedules: () => get<ScheduleList>('/schedules'),
  listOperations: () => get<OperationPage>('/operations'),
  getOperation: (id: string) => get<OperationView>(`/operations/${segment(id)}`),
  startOperation: (body: OperationBody) => request<OperationView>('POST', '/operations', body),
};
