/**
 * The typed errors of the Jobboard client: {@link ApiError} when the API answered with an error
 * status (or with something that is not JSON), {@link ConnectionError} when nothing answered.
 * Callers match on `code` (stable strings) and, across bundles, on `name` as well as `instanceof`.
 */

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
  readonly code = 'ConnectionError';
  constructor(
    /** The API's origin. */
    readonly url: string,
    /** The socket error code, e.g. `ECONNREFUSED` (`ETIMEDOUT` for the client's own time limit), when known. */
    readonly errorCode: string | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The {@link ApiError} of an error answer. `body` is what openapi-fetch made of it: the parsed
 * JSON, else the raw text (or undefined when empty).
 */
export function toApiError(response: Response, body: unknown): ApiError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  if (error && typeof error.code === 'string') {
    return new ApiError(response.status, error.code, typeof error.message === 'string' ? error.message : '', Array.isArray(error.details) ? error.details : []);
  }
  // Not our error shape: API Gateway's own answers (`{"message":"Forbidden"}`), a proxy's HTML page…
  const text = typeof body === 'string' ? body.trim().slice(0, 200) : '';
  const message = isRecord(body) && typeof body.message === 'string' ? body.message : text;
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

function innermostMessage(error: unknown): string {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause instanceof Error; depth++) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

/** The {@link ConnectionError} of a failed `fetch` to `url`. */
export function toConnectionError(url: URL, error: unknown, timeoutMs: number): ConnectionError {
  const target = url.origin;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new ConnectionError(target, 'ETIMEDOUT', `no answer from ${target} within ${timeoutMs} ms`, { cause: error });
  }
  const code = socketErrorCode(error);
  return new ConnectionError(target, code, `cannot reach ${target} (${code ?? innermostMessage(error)})`, { cause: error });
}
