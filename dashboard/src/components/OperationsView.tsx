/** Bulk operations: the list (newest first, as the API gives it) and one operation's live progress. */
import { api, type OperationView } from '../api.js';
import { useLoaded } from '../loading.js';
import { operationRoute, viewRoute } from '../route.js';
import { Link } from './Link.js';
import { OperationProgress } from './OperationProgress.js';
import { describeFilter } from '../operation-filter.js';
import { StateBadge } from './StateBadge.js';
import { Pending } from './Pending.js';
import { TableHead, ViewSection } from './Parts.js';

export function OperationsView() {
  const operations = useLoaded('loading operations', 'operations', () => api.listOperations());
  return (
    <ViewSection title="Operations">
      <p class="hint">Start a bulk action from the Jobs view: it applies to the jobs its filters show.</p>
      {operations.data === undefined ? <Pending loaded={operations} what="operations" /> : <OperationTable operations={operations.data.operations} />}
    </ViewSection>
  );
}

function OperationTable({ operations }: { operations: readonly OperationView[] }) {
  if (operations.length === 0) return <p class="empty">No bulk operations yet.</p>;
  return (
    <table class="operations">
      <TableHead columns={['Operation', 'Action', 'Filter', 'State', 'Done', 'Skipped', 'Failed', 'Matched']} numeric={['Done', 'Skipped', 'Failed', 'Matched']} />
      <tbody>
        {operations.map((op) => (
          <tr key={op.id} data-operation-id={op.id}>
            <th scope="row">
              <Link to={operationRoute(op.id)}>{op.id}</Link>
            </th>
            <td>{op.action}</td>
            <td>{describeFilter(op.filter)}</td>
            <td>
              <StateBadge state={op.state} />
            </td>
            <td class="count">{op.done}</td>
            <td class="count">{op.skipped}</td>
            <td class="count">{op.failed}</td>
            <td class="count">{op.matched}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function OperationDetail({ id }: { id: string }) {
  return (
    <ViewSection
      title={
        <>
          Operation <code>{id}</code>
        </>
      }
    >
      <OperationProgress id={id} linked={false} />
      <p>
        <Link to={viewRoute('operations')}>All operations</Link>
      </p>
    </ViewSection>
  );
}
