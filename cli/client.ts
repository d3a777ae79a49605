/**
 * `jobboard/client`: a typed client for the Jobboard HTTP API, built on `openapi-fetch` with the
 * `paths` type derived from the contract's route table (`lib/http/client-paths.ts`), so every
 * path, parameter, body and answer is typed by the schemas the API handler validates with.
 *
 * ```ts
 * import { createJobboardClient, dataOf } from 'jobboard/client';
 * const client = createJobboardClient({ baseUrl: 'http://127.0.0.1:3000' });
 * const job = await dataOf(client.GET('/jobs/{id}', { params: { path: { id: 'job-1' } } }));
 * ```
 *
 * On top of openapi-fetch: a bearer token or SigV4 signing, a time limit per request, a
 * {@link ConnectionError} when nothing answers, an {@link ApiError} for a 2xx that is not JSON,
 * and {@link answerOf}/{@link dataOf} to turn an error answer into an {@link ApiError}.
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from '../lib/http/client-paths.js';
import { ApiError, toApiError, toConnectionError } from './client-errors.js';

export { ApiError, ConnectionError } from './client-errors.js';
export { createSigV4Signer, SigningSetupError, type SigV4Options } from './sigv4.js';
export type { operations, paths } from '../lib/http/client-paths.js';
export type { ApiErrorBody, BatchResult, BoardList, BoardPatchBody, BoardView, Health, JobPage, JobView, ListQuery, PostJobBody, RedriveResult, Stats } from '../lib/http/contract.js';
export type { OperationBody, OperationListQuery, OperationPage, OperationView, ScheduleBody, ScheduleList, ScheduleView } from '../lib/http/contract.js';

/** The typed client: `client.GET('/jobs/{id}', …)`, `client.POST('/jobs', { body })`, … */
export type JobboardClient = Client<paths>;

/** A request as it is about to go out, for a {@link RequestSigner}. */
export interface OutgoingRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string | undefined;
}

/** Returns the headers to send (for example with SigV4 `Authorization` added). */
export type RequestSigner = (request: OutgoingRequest) => Promise<Record<string, string>>;

/** Options of {@link createJobboardClient}. */
export interface JobboardClientOptions {
  /** Base URL of the API, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>` when set and no signer is given. */
  token?: string | undefined;
  /** Signs each request (SigV4, see `createSigV4Signer`); takes precedence over `token`. */
  signer?: RequestSigner | undefined;
  /** Per-request time limit in milliseconds. */
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
}

/** Default per-request time limit. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Encodes a path parameter for its segment; `:` is legal there (job ids use it) and is left as is. */
export function pathSegment(value: string): string {
  return encodeURIComponent(value).replace(/%3A/gi, ':');
}

/** `/jobs/{id}` with `{id}` filled in, each value encoded by {@link pathSegment}. */
function serializePath(pathname: string, params: Record<string, unknown>): string {
  return pathname.replace(/\{([^}]+)\}/g, (match, name: string) => (params[name] === undefined ? match : pathSegment(String(params[name]))));
}

/** Adds the bearer token, or replaces the headers with signed ones. */
function authentication(options: Pick<JobboardClientOptions, 'token' | 'signer'>): Middleware | undefined {
  const { signer, token } = options;
  if (signer) {
    return {
      async onRequest({ request }) {
        const body = request.body === null ? undefined : await request.clone().text();
        const headers = await signer({ method: request.method, url: new URL(request.url), headers: Object.fromEntries(request.headers), body });
        return new Request(request.url, { method: request.method, headers, body });
      },
    };
  }
  if (token) {
    return {
      onRequest({ request }) {
        request.headers.set('authorization', `Bearer ${token}`);
        return request;
      },
    };
  }
  return undefined;
}

/** A 2xx answer must be JSON (or empty): anything else (a proxy's page…) is an {@link ApiError}, not a parse failure later. */
const jsonAnswers: Middleware = {
  async onResponse({ request, response }) {
    if (!response.ok) return undefined;
    const text = await response.clone().text();
    if (text.trim() === '') return undefined;
    try {
      JSON.parse(text);
    } catch {
      throw new ApiError(response.status, 'InvalidResponse', `expected JSON from ${request.method} ${new URL(request.url).pathname}, got: ${text.slice(0, 200)}`);
    }
    return undefined;
  },
};

/** A typed client for the API at `options.baseUrl`. */
export function createJobboardClient(options: JobboardClientOptions): JobboardClient {
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const baseFetch = options.fetch ?? globalThis.fetch;
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    headers: { accept: 'application/json' },
    pathSerializer: serializePath,
    fetch: async (request) => {
      try {
        return await baseFetch(request, { signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        throw toConnectionError(new URL(request.url), error, timeoutMs);
      }
    },
  });
  const auth = authentication(options);
  client.use(...(auth ? [auth, jsonAnswers] : [jsonAnswers]));
  return client;
}

/** What an openapi-fetch call resolves to: the data of a 2xx, or the error of another status. */
interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** A successful answer: its status (`201` created, `200` existed…) and body. */
export interface Answer<T> {
  status: number;
  data: T;
}

/** Awaits a call; an error status rejects with an {@link ApiError} carrying the API's `code` and `details`. */
export async function answerOf<T>(call: Promise<FetchResult<T>>): Promise<Answer<T>> {
  const { data, error, response } = await call;
  if (!response.ok) throw toApiError(response, error);
  return { status: response.status, data: data as T };
}

/** The body of a successful call; an error status rejects with an {@link ApiError}. */
export async function dataOf<T>(call: Promise<FetchResult<T>>): Promise<T> {
  return (await answerOf(call)).data;
}
