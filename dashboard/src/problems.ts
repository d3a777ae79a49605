/**
 * What the error banner shows: the latest failed request, until the same kind of request succeeds
 * or the user dismisses it. A failed refresh is cleared by the next good refresh; a refused action
 * (say a 409 on retry) stays until the next action, so a background refresh cannot hide it.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, ConnectionError } from './request.js';

export type ProblemSource = 'load' | 'action';

export interface Problem {
  source: ProblemSource;
  /** What the page was doing: "loading jobs", "retrying job a1". */
  what: string;
  kind: 'unreachable' | 'unauthorized' | 'refused' | 'unexpected';
  /** The API's error code (`ConflictError`, …), or the error's name when there was no answer. */
  code: string;
  message: string;
  status: number | undefined;
}

let current: Problem | undefined;
const listeners = new Set<(problem: Problem | undefined) => void>();

function publish(problem: Problem | undefined): void {
  current = problem;
  for (const listener of listeners) listener(problem);
}

export function reportProblem(source: ProblemSource, what: string, error: unknown): void {
  publish({ source, what, ...describe(error) });
}

/** A request of this kind succeeded: its earlier failure no longer holds. */
export function clearProblem(source: ProblemSource): void {
  if (current?.source === source) publish(undefined);
}

export function dismissProblem(): void {
  publish(undefined);
}

export function useProblem(): Problem | undefined {
  const [problem, setProblem] = useState(current);
  useEffect(() => {
    listeners.add(setProblem);
    setProblem(current);
    return () => void listeners.delete(setProblem);
  }, []);
  return problem;
}

function describe(error: unknown): Pick<Problem, 'kind' | 'code' | 'message' | 'status'> {
  if (error instanceof ConnectionError) return { kind: 'unreachable', code: error.code, message: error.message, status: undefined };
  if (error instanceof ApiError) return { kind: error.status === 401 ? 'unauthorized' : 'refused', code: error.code, message: error.message, status: error.status };
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'unexpected', code: error instanceof Error ? error.name : 'Error', message, status: undefined };
}
