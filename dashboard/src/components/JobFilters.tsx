/**
 * The job list's filters. Every change is a new URL (a history entry), so the back button steps
 * through filters and a link shares them. Selects apply at once; text and times when committed
 * (Enter or leaving the field).
 */
import { useEffect, useState } from 'preact/hooks';
import { JOB_STATES, type JobState } from '../../../lib/states.js';
import { api } from '../api.js';
import { fromLocalInput, toLocalInput } from '../format.js';
import { useLoaded } from '../loading.js';
import { jobsRoute, navigate, type JobFilter, type Order, type Route } from '../route.js';
import { Link } from './Link.js';
import { SelectField } from './Parts.js';

const ORDERS = [
  ['desc', 'Newest first'],
  ['asc', 'Oldest first'],
] as const;

export function JobFilters({ route }: { route: Route }) {
  const { filter, order } = route;
  const boards = useLoaded('loading boards', 'boards', () => api.listBoards());
  const boardNames = (boards.data?.boards ?? []).map((b) => b.name);
  // A board named in the URL is offered even before (or without) the board list.
  if (filter.board !== undefined && !boardNames.includes(filter.board)) boardNames.push(filter.board);
  const [type, setType] = useState(filter.type ?? '');
  useEffect(() => setType(filter.type ?? ''), [filter.type]);

  const apply = (change: Partial<JobFilter>, nextOrder: Order = order) => navigate(jobsRoute({ ...filter, ...change }, nextOrder));
  const onSubmit = (event: Event) => {
    event.preventDefault();
    apply({ type: type.trim() || undefined });
  };

  return (
    <form class="filters" onSubmit={onSubmit} aria-label="Filter jobs">
      <SelectField id="filter-board" label="Board" value={filter.board ?? ''} options={[['', 'All boards'], ...boardNames.map((name) => [name, name] as const)]} onChange={(board) => apply({ board: board || undefined })} />
      <SelectField<JobState> id="filter-state" label="State" value={filter.state ?? ''} options={[['', 'Any state'], ...JOB_STATES.map((state) => [state, state] as const)]} onChange={(state) => apply({ state: state || undefined })} />
      <div class="field">
        <label for="filter-type">Type</label>
        <input id="filter-type" type="text" placeholder="demo.echo" value={type} onInput={(e) => setType(e.currentTarget.value)} onChange={(e) => apply({ type: e.currentTarget.value.trim() || undefined })} />
      </div>
      <div class="field">
        <label for="filter-from">From</label>
        <input id="filter-from" type="datetime-local" value={toLocalInput(filter.from)} onChange={(e) => apply({ from: fromLocalInput(e.currentTarget.value) })} />
      </div>
      <div class="field">
        <label for="filter-to">To</label>
        <input id="filter-to" type="datetime-local" value={toLocalInput(filter.to)} onChange={(e) => apply({ to: fromLocalInput(e.currentTarget.value) })} />
      </div>
      <SelectField<Order> id="filter-order" label="Order" value={order} options={ORDERS} onChange={(chosen) => apply({}, chosen || 'desc')} />
      <div class="field buttons">
        <button type="submit">Apply</button>
        <Link to={jobsRoute()} class="button secondary">
          Clear filters
        </Link>
      </div>
      <p class="hint">From and To bound the creation time of open jobs and the end time of finished ones.</p>
    </form>
  );
}
