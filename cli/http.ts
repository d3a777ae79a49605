/**
 * A small client for the Jobboard HTTP API over global `fetch`: bearer token or SigV4 signing,
 * JSON in and out, and errors turned into {@link ApiError} / {@link ConnectionError}.
 */
import type { ApiErrorBody, BatchResult, BoardList, BoardPatchBody, BoardView, Health, JobPage, JobView, ListQuery, PostJobBody, RedriveResult, Stats } from '../lib/http/contract.js';
import type { ScheduleBody, ScheduleList, ScheduleView } from '../lib/http/contract.js';

/** The API answered with an error status. `code` is the API's stable error code (e.g. `NotFoundError`). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly unknown[] = [],
  ) {
    super(message);
  }

  /** Worth trying again: throttled or a server-side failure. */
  get retryable(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

/** No HTTP answer at all: refused, unreachable, or timed out. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
  constructor(
    readonly url: string,
    /** The socket error code, e.g. `ECONNREFUSED`, when known. */
    readonly errorCode: string | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A request as it is about to go out, for a {@link RequestSigner}. */
export interface OutgoingRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string | undefined;
}

/** Returns the headers to send (for example with SigV4 `Authorization` added). */
export type RequestSigner = (request: OutgoingRequest) => Promise<Record<string, string>>;

/** Options of {@link ApiClient}. */
export interface ApiClientOptions {
  /** Base URL of the API, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>` when set and no signer is given. */
  token?: string | undefined;
  /** Signs each request (SigV4); takes precedence over `token`. */
  signer?: RequestSigner | undefined;
  /** Per-request time limit in milliseconds. */
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
}

/** Default per-request time limit. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** An API answer: the status and the parsed JSON body. */
export interface ApiResponse<T> {
  status: number;
  body: T;
}

/** Encodes a job id for a path segment (`:` is legal there and left as is). */
export function pathSegment(value: string): string {
  return encodeURIComponent(value).replace(/%3A/gi, ':');
}

/** Typed calls for every route of the API. */
export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;
  private readonly requestTimeoutMs: number;

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? fetch;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** `POST /jobs`: 201 created, 200 when the same id was already posted with the same body. */
  postJob(body: PostJobBody): Promise<ApiResponse<JobView>> {
    return this.request('POST', '/jobs', { body });
  }

  /** `POST /jobs/batch`: up to 100 jobs, each answered as `POST /jobs` would. */
  async postJobs(bodies: readonly PostJobBody[]): Promise<BatchResult> {
    return (await this.request<BatchResult>('POST', '/jobs/batch', { body: { jobs: bodies } })).body;
  }

  /** `GET /jobs/{id}`. */
  async getJob(id: string): Promise<JobView> {
    return (await this.request<JobView>('GET', `/jobs/${pathSegment(id)}`)).body;
  }

  /** `GET /jobs`: one page, oldest first. */
  async listJobs(query: ListQuery = {}): Promise<JobPage> {
    // The server validates the query; the CLI passes what it was given.
    return (await this.request<JobPage>('GET', '/jobs', { query: { ...query } as Record<string, string | number | undefined> })).body;
  }

  /** `GET /stats`, on one board or all. */
  async stats(board?: string): Promise<Stats> {
    return (await this.request<Stats>('GET', '/stats', { query: { board } })).body;
  }

  /** `DELETE /jobs/{id}`: trashed at once (200), or its running attempt asked to stop (202, `stopRequested: "cancel"`). */
  async trashJob(id: string): Promise<JobView> {
    return (await this.request<JobView>('DELETE', `/jobs/${pathSegment(id)}`)).body;
  }

  /** `POST /jobs/{id}/suspend`: suspended at once (200), or its running attempt asked to stop (202). */
  async suspendJob(id: string): Promise<JobView> {
    return (await this.request<JobView>('POST', `/jobs/${pathSegment(id)}/suspend`)).body;
  }

  /** `POST /jobs/{id}/resume`: suspended back to posted. */
  async resumeJob(id: string): Promise<JobView> {
    return (await this.request<JobView>('POST', `/jobs/${pathSegment(id)}/resume`)).body;
  }

  /** `GET /boards`. */
  async listBoards(): Promise<BoardList> {
    return (await this.request<BoardList>('GET', '/boards')).body;
  }

  /** `PUT /boards/{board}`. */
  async updateBoard(name: string, patch: BoardPatchBody): Promise<BoardView> {
    return (await this.request<BoardView>('PUT', `/boards/${pathSegment(name)}`, { body: patch })).body;
  }

  /** `POST /jobs/{id}/retry`: failed/trashed back to posted. */
  async retryJob(id: string): Promise<JobView> {
    return (await this.request<JobView>('POST', `/jobs/${pathSegment(id)}/retry`)).body;
  }

  /** `POST /dead-letters/redrive`. */
  async redrive(): Promise<RedriveResult> {
    return (await this.request<RedriveResult>('POST', '/dead-letters/redrive')).body;
  }

  /** `GET /health`. */
  async health(): Promise<Health> {
    return (await this.request<Health>('GET', '/health')).body;
  }

  // Periodic schedules (PUT replaces a schedule's settings as a whole).

  /** `GET /schedules`. */
  async listSchedules(): Promise<ScheduleList> {
    return (await this.request<ScheduleList>('GET', '/schedules')).body;
  }

  /** `GET /schedules/{name}`. */
  async getSchedule(name: string): Promise<ScheduleView> {
    return (await this.request<ScheduleView>('GET', `/schedules/${pathSegment(name)}`)).body;
  }

  /** `PUT /schedules/{name}`: creates the schedule or replaces its settings. */
  async putSchedule(name: string, body: ScheduleBody): Promise<ScheduleView> {
    return (await this.request<ScheduleView>('PUT', `/schedules/${pathSegment(name)}`, { body })).body;
  }

  /** `DELETE /schedules/{name}`: answers the schedule as it was. */
  async deleteSchedule(name: string): Promise<ScheduleView> {
    return (await this.request<ScheduleView>('DELETE', `/schedules/${pathSegment(name)}`)).body;
  }

  /** Sends one request; 2xx answers resolve, others reject with {@link ApiError}. */
  async request<T>(method: string, path: string, init: { query?: Record<string, string | number | undefined>; body?: unknown } = {}): Promise<ApiResponse<T>> {
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(init.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    const body = init.body === undefined ? undefined : JSON.stringify(init.body);
    let headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.signer) headers = await this.options.signer({ method, url, headers, body });
    else if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;

    let response: Response;
    try {
      response = await this.fetchFn(url, { method, headers, body, signal: AbortSignal.timeout(this.requestTimeoutMs) });
    } catch (error) {
      throw toConnectionError(url, error, this.requestTimeoutMs);
    }
    const text = await response.text();
    const parsed = parseJson(text);
    if (!response.ok) throw toApiError(response, parsed, text);
    if (parsed === undefined && text.trim() !== '') throw new ApiError(response.status, 'InvalidResponse', `expected JSON from ${method} ${url.pathname}, got: ${text.slice(0, 200)}`);
    return { status: response.status, body: parsed as T };
  }
}

function parseJson(text: string): unknown {
  try {
    return text.trim() === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function toApiError(response: Response, parsed: unknown, text: string): ApiError {
  const error = isRecord(parsed) && isRecord(parsed.error) ? (parsed.error as Partial<ApiErrorBody>) : undefined;
  if (error && typeof error.code === 'string') {
    return new ApiError(response.status, error.code, typeof error.message === 'string' ? error.message : '', Array.isArray(error.details) ? error.details : []);
  }
  // Not our error shape: API Gateway's own answers (`{"message":"Forbidden"}`), a proxy's HTML page…
  const message = isRecord(parsed) && typeof parsed.message === 'string' ? parsed.message : text.trim().slice(0, 200);
  return new ApiError(response.status, `HTTP${response.status}`, [response.statusText, message].filter(Boolean).join(': '));
}

/** Finds a socket error code (`ECONNREFUSED`…) in fetch's error chain, AggregateErrors included. */
function socketErrorCode(error: unknown, depth = 0): string | undefined {
  if (depth > 5 || !(error instanceof Error)) return undefined;
  const code = (error as Error & { code?: unknown }).code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const found = socketErrorCode(inner, depth + 1);
      if (found) return found;
    }
  }
  return socketErrorCode(error.cause, depth + 1);
}

function toConnectionError(url: URL, error: unknown, timeoutMs: number): ConnectionError {
  const target = url.origin;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new ConnectionError(target, 'ETIMEDOUT', `no answer from ${target} within ${timeoutMs} ms`, { cause: error });
  }
  const code = socketErrorCode(error);
  const reason = code ?? innermostMessage(error);
  return new ConnectionError(target, code, `cannot reach ${target} (${reason})`, { cause: error });
}

function innermostMessage(error: unknown): string {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause instanceof Error; depth++) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}
