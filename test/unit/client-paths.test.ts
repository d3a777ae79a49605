/**
 * The typed client's `paths` type (lib/http/client-paths.ts) says what the contract says: these are
 * type assertions, checked by `tsc --noEmit` (the first step of `npm test`), with a run-time twin
 * only where a value exists. A route whose schema lost its own type in the contract (typed as any
 * zod schema), or a status openapi-fetch could not match, breaks them.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { ApiErrorBody, JobPage, JobView, OperationBody, OperationView, PostJobBody, Stats } from '../../lib/http/contract.js';
import type { operations, paths } from '../../lib/http/client-paths.js';
import type { OperationId, Route } from '../../lib/http/contract.js';

type DataOf<Op> = Op extends { responses: infer R } ? { [S in keyof R]: S extends 200 | 201 | 202 ? (R[S] extends { content: { 'application/json': infer D } } ? D : never) : never }[keyof R] : never;
type ErrorOf<Op> = Op extends { responses: infer R } ? { [S in keyof R]: S extends 400 | 401 | 404 | 409 | 500 | 503 ? (R[S] extends { content: { 'application/json': infer D } } ? D : never) : never }[keyof R] : never;

describe('the client paths type', () => {
  it('has every path of the contract, each operation by its id', () => {
    expectTypeOf<keyof paths>().toEqualTypeOf<Route['path']>();
    expectTypeOf<keyof operations>().toEqualTypeOf<OperationId>();
  });

  it('types answers with the output of each route’s own schemas, errors included', () => {
    expectTypeOf<DataOf<paths['/jobs/{id}']['get']>>().toEqualTypeOf<JobView>();
    expectTypeOf<DataOf<paths['/jobs']['get']>>().toEqualTypeOf<JobPage>();
    expectTypeOf<DataOf<paths['/stats']['get']>>().toEqualTypeOf<Stats>();
    expectTypeOf<DataOf<paths['/operations']['post']>>().toEqualTypeOf<OperationView>();
    // Statuses spread in from shared groups (`...COMMON`) are numbers, as openapi-fetch matches them.
    expectTypeOf<keyof paths['/stats']['get']['responses']>().toEqualTypeOf<200 | 400 | 401 | 500 | 503>();
    expectTypeOf<ErrorOf<paths['/stats']['get']>>().toEqualTypeOf<{ error: ApiErrorBody }>();
  });

  it('types parameters and bodies with the input of each route’s schemas', () => {
    expectTypeOf<paths['/jobs']['post']['requestBody']['content']['application/json']>().toEqualTypeOf<PostJobBody>();
    expectTypeOf<paths['/operations']['post']['requestBody']['content']['application/json']>().toEqualTypeOf<OperationBody>();
    expectTypeOf<paths['/jobs/{id}']['get']['parameters']['path']>().toEqualTypeOf<{ id: string }>();
    expectTypeOf<paths['/stats']['get']['parameters']['query']>().toEqualTypeOf<{ board?: string | undefined } | undefined>();
  });
});
