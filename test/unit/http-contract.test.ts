/**
 * The HTTP contract is complete and usable as one source: every route has a unique operation id,
 * schemas for what it takes and answers, schemas that JSON Schema (hence OpenAPI) can express,
 * and a job view that the mapping's output satisfies.
 */
import { describe, expect, it } from 'vitest';
import { safeParse, toJSONSchema, type ZodMiniType } from 'zod/mini';
import { ROUTES, errorBodySchema, listQuerySchema } from '../../lib/http/contract.js';
import { jobViewSchema, toJobView } from '../../lib/http/job-view.js';
import type { Job } from '../../lib/model.js';

describe('the contract', () => {
  it('gives every route a unique operation id, a summary and a success response', () => {
    const ids = ROUTES.map((r) => r.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const route of ROUTES) {
      expect(route.summary.length, route.operationId).toBeGreaterThan(0);
      expect(Object.keys(route.responses).some((status) => status.startsWith('2')), route.operationId).toBe(true);
      expect(route.responses[500].schema, route.operationId).toBe(errorBodySchema);
    }
  });

  it('declares a path schema exactly for the routes with path parameters, naming each parameter', () => {
    for (const route of ROUTES) {
      const names = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      if (names.length === 0) {
        expect('params' in route, route.operationId).toBe(false);
        continue;
      }
      expect('params' in route, route.operationId).toBe(true);
      const schema = toJSONSchema((route as unknown as { params: ZodMiniType }).params) as unknown as { properties: Record<string, unknown> };
      expect(Object.keys(schema.properties).sort()).toEqual([...names].sort());
    }
  });

  it('has schemas that JSON Schema can express, for every parameter, query, body and response', () => {
    for (const route of ROUTES) {
      const schemas = [
        ...(['params', 'query', 'body'] as const).flatMap((part) => (part in route ? [(route as Record<string, unknown>)[part]] : [])),
        ...Object.values(route.responses).map((response) => response.schema),
      ];
      for (const schema of schemas) expect(() => toJSONSchema(schema as ZodMiniType, { io: 'input', unrepresentable: 'any' })).not.toThrow();
    }
  });

  it('lists with order and time bounds, refusing an unknown order', () => {
    expect(safeParse(listQuerySchema, { order: 'desc', from: '2026-01-01T00:00:00Z', limit: '5' }).success).toBe(true);
    expect(safeParse(listQuerySchema, { order: 'sideways' }).success).toBe(false);
    expect(safeParse(listQuerySchema, { from: 'yesterday' }).success).toBe(false);
  });
});

describe('the job view', () => {
  it('is what toJobView produces, for a fresh and for a finished job', () => {
    const job: Job = { id: 'j', type: 't', typeVersion: 1, payload: { a: 1 }, state: 'posted', attempts: 0, maxAttempts: 5, errors: [], createdAt: 0, updatedAt: 0, timeoutSeconds: 60, version: 1, requestHash: 'h' };
    expect(safeParse(jobViewSchema, toJobView(job)).success).toBe(true);
    const done: Job = { ...job, state: 'failed', owner: 'o', attempts: 1, startedAt: 5, endedAt: 9, leaseExpiresAt: 100, errors: [{ attempt: 1, at: 9, name: 'E', message: 'm' }], result: { r: 1 } };
    const parsed = safeParse(jobViewSchema, toJobView(done));
    expect(parsed.success).toBe(true);
    expect(toJobView(done)).toMatchObject({ endedAt: '1970-01-01T00:00:00.009Z', owner: 'o', runAt: null });
  });
});
