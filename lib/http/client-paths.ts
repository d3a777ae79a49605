/**
 * The `paths` type that `openapi-fetch` takes, derived at the type level from the contract's route
 * table (`ROUTES` in `./contract.ts`): path and query parameters and request bodies are the zod
 * input types of the schemas the API handler parses with, and each response is the zod output type
 * of its schema. It has the shape `openapi-typescript` would generate from `GET /openapi.json`,
 * without the generation step (that tool needs TypeScript 5's compiler API, which this project's
 * TypeScript 7 does not offer), and it cannot drift: a route added to `ROUTES` is a typed path here.
 *
 * Types only: nothing of this module exists at run time.
 */
import type { input, output, ZodMiniType } from 'zod/mini';
import type { OperationId, Route } from './contract.js';

/** Every answer and body is JSON. */
type JsonContent<T> = { 'application/json': T };

/** Expands an intersection into one object type (optional keys stay optional). */
type Flatten<T> = { [K in keyof T]: T[K] };

/** `{ query?: T }` when every field of T is optional (openapi-fetch then lets the caller leave it out), else `{ query: T }`. */
type QueryPart<R> = R extends { query: infer S extends ZodMiniType } ? ({} extends input<S> ? { query?: input<S> } : { query: input<S> }) : { query?: never };
type PathPart<R> = R extends { params: infer S extends ZodMiniType } ? { path: input<S> } : { path?: never };

/** A route's parameters as openapi-typescript writes them: a kind the route does not take is `?: never`. */
type RouteParameters<R> = Flatten<PathPart<R> & QueryPart<R> & { header?: never; cookie?: never }>;

type RequestBodyPart<R> = R extends { body: infer S extends ZodMiniType } ? { requestBody: { content: JsonContent<input<S>> } } : { requestBody?: never };

/** `"401"` → `401`: spreading `{ 401: … }` into a route's responses turns its key into a string; openapi-fetch matches numbers. */
type NumericStatus<S> = S extends `${infer N extends number}` ? N : S;

/** Every status the route may answer, each with the output type of its schema. */
type RouteResponses<R extends Route> = {
  [Status in keyof R['responses'] as NumericStatus<Status>]: R['responses'][Status] extends { schema: infer S extends ZodMiniType } ? { headers: { [name: string]: unknown }; content: JsonContent<output<S>> } : never;
};

/** One operation of the API in openapi-typescript's shape. */
export type RouteOperation<R extends Route> = Flatten<{ parameters: RouteParameters<R>; responses: RouteResponses<R> } & RequestBodyPart<R>>;

/** Each path of the API, with one operation per method it answers (lower case, as OpenAPI names them). */
export type paths = {
  [Path in Route['path']]: { [R in Extract<Route, { path: Path }> as Lowercase<R['method']>]: RouteOperation<R> } & {
    parameters: { query?: never; header?: never; path?: never; cookie?: never };
  };
};

/** Each operation by its operation id, as openapi-typescript's `operations` type. */
export type operations = { [Id in OperationId]: RouteOperation<Extract<Route, { operationId: Id }>> };
