/** A bulk operation's progress, refreshed every second until it ends. */
import { useEffect } from 'preact/hooks';
import { api, type BulkAction, type OperationView } from '../api.js';
import { useLoaded } from '../loading.js';
import { describeFilter } from '../operation-filter.js';
import { operationRoute } from '../route.js';
import { Link } from './Link.js';
import { Pending } from './Pending.js';
import { StateBadge } from './StateBadge.js';

const DONE_WORD: Record<BulkAction, string> = { retry: 'retried', trash: 'trashed', suspend: 'suspended', resume: 'resumed' };
const TICK_MS = 1_000;

export interface OperationProgressProps {
  id: string;
  /** How many jobs the operator was told it would touch; without it the bar shows activity only. */
  expected?: number;
  /** Link the title to the operation's own view (not on that view itself). */
  linked?: boolean;
}

export function OperationProgress({ id, expected, linked = true }: OperationProgressProps) {
  const operation = useLoaded(`loading operation ${id}`, id, () => api.getOperation(id));
  const running = operation.data === undefined || operation.data.state === 'running';
  // Operations are not in the job event stream: ask again each second while one runs.
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(operation.reload, TICK_MS);
    return () => clearInterval(timer);
  }, [running]);
  if (operation.data === undefined) return <Pending loaded={operation} what={`operation ${id}`} />;
  return <OperationSummary operation={operation.data} expected={expected} linked={linked} />;
}

function OperationSummary({ operation, expected, linked }: { operation: OperationView; expected: number | undefined; linked: boolean }) {
  const { matched, done, skipped, failed } = operation;
  const running = operation.state === 'running';
  // `matched` grows as the walk reads jobs, so while running the bar measures against what was counted.
  const total = Math.max(expected ?? 0, matched, 1);
  const title = `Bulk ${operation.action}`;
  return (
    <div class="operation" data-operation-id={operation.id} data-operation-state={operation.state}>
      <p>
        {linked ? <Link to={operationRoute(operation.id)}>{title}</Link> : title} of {describeFilter(operation.filter)}: <StateBadge state={operation.state} />
      </p>
      <label>
        Progress
        {running && expected === undefined ? <progress /> : <progress max={total} value={running ? done + skipped + failed : total} />}
      </label>
      <p role="status" class="operation-counts">
        {done} {DONE_WORD[operation.action]}, {skipped} skipped, {failed} failed of {matched} matched
      </p>
      {operation.error === null ? null : <p class="note">Stopped: {operation.error}</p>}
    </div>
  );
}
