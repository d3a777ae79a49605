/**
 * The page's one way to the API: the page's own origin with relative paths (so the same bundle
 * works from the local stack and behind `jobboard dashboard`), JSON in and out, and every failure
 * turned into an {@link ApiError} or a {@link ConnectionError} the banner can show.
 */
import { ApiError, ConnectionError, toApiError } from '../../cli/client-errors.js';

// The errors of the package's typed client (`jobboard/client`): the page reports the same ones.
export { ApiError, ConnectionError };

/** What a failed request became. */
export type RequestProblem = ApiError | ConnectionError;

// The local stack's bearer token, when it has one. Kept for the tab only (sessionStorage): it is
// a secret, and a new tab asks again.
const TOKEN_KEY = 'jobboard.apiToken';

export function apiToken(): string | undefined {
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function setApiToken(token: string | undefined): void {
  if (token === undefined || token === '') sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

/** Headers every API call carries. An `Authorization` header is why the event stream is read with fetch, not EventSource. */
export function apiHeaders(): Record<string, string> {
  const token = apiToken();
  return token === undefined ? { accept: 'application/json' } : { accept: 'application/json', authorization: `Bearer ${token}` };
}

export type Query = Record<string, string | number | undefined>;

/** `/jobs?state=failed`, leaving out the parameters that are unset. */
export function pathWithQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
  const search = params.toString();
  return search === '' ? path : `${path}?${search}`;
}

/** Encodes an id for one path segment. */
export const segment = (value: string): string => encodeURIComponent(value);

/** Sends one request; a 2xx answer resolves to its JSON body, anything else rejects with a {@link RequestProblem}. */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers = apiHeaders();
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConnectionError(location.origin, undefined, `cannot reach the Jobboard API at ${location.origin}: ${reason}`, { cause: error });
  }
  const text = await response.text();
  const parsed = parseJson(text);
  if (!response.ok) throw toApiError(response, parsed ?? text);
  if (parsed === undefined) throw new ApiError(response.status, 'InvalidResponse', `expected JSON from ${method} ${path}, got: ${text.slice(0, 200)}`);
  return parsed as T;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
