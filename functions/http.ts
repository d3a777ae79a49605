/**
 * HTTP plumbing for the API handler: JSON responses, the error body, and the mapping from
 * error codes to status codes. Every error answers `{"error": {code, message, details}}`.
 */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { JobboardError, ValidationError } from '../lib/errors.js';
import type { Logger } from '../lib/registry.js';

/** Errors that exist only at the HTTP edge. */
export class HttpError extends JobboardError {
  override readonly name: string;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

export const unsupportedMediaType = () => new HttpError(415, 'UnsupportedMediaTypeError', 'send the body as application/json');
export const payloadTooLarge = (limit: number) => new HttpError(413, 'PayloadTooLargeError', `the body is larger than ${limit} bytes`);
export const routeNotFound = (method: string, path: string) => new HttpError(404, 'RouteNotFoundError', `no route for ${method} ${path}`);
export const methodNotAllowed = (method: string, path: string) => new HttpError(405, 'MethodNotAllowedError', `${method} is not allowed on ${path}`);
export const unauthorized = () => new HttpError(401, 'UnauthorizedError', 'missing or wrong bearer token');

/** Status for each error code of lib/. */
const STATUS: Record<string, number> = {
  ValidationError: 400,
  NotFoundError: 404,
  ConflictError: 409,
  DuplicateError: 409,
  InvalidStateError: 409,
  StorageError: 503,
};

export type HttpResponse = Exclude<APIGatewayProxyResultV2, string> & { statusCode: number; body: string; headers: Record<string, string> };

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** The `details` an error carries: each field at fault (a `ValidationError`'s, or a `DuplicateError` naming the holder). */
function detailsOf(error: JobboardError): readonly unknown[] {
  if (error instanceof ValidationError) return error.details;
  const details = (error as { details?: unknown }).details;
  return Array.isArray(details) ? details : [];
}

/** Status code and error body of a Jobboard error, for one job of a batch. */
export function errorBody(error: JobboardError): { status: number; error: { code: string; message: string; details: readonly unknown[] } } {
  const status = error instanceof HttpError ? error.status : (STATUS[error.code] ?? 500);
  return { status, error: { code: error.code, message: error.message, details: detailsOf(error) } };
}

/** The JSON error response for anything thrown while serving a request. */
export function errorResponse(error: unknown, logger: Logger): HttpResponse {
  if (error instanceof HttpError) return json(error.status, { error: { code: error.code, message: error.message, details: [] } });
  if (error instanceof JobboardError) {
    const status = STATUS[error.code] ?? 500;
    const details = detailsOf(error);
    if (status >= 500) logger.error('request_failed', { code: error.code, error });
    return json(status, { error: { code: error.code, message: error.message, details } }, status === 503 ? { 'retry-after': '1' } : {});
  }
  logger.error('request_failed', { error });
  return json(500, { error: { code: 'InternalError', message: 'the request failed unexpectedly', details: [] } });
}
