/** The job list: filters, a bulk action on the current filter, one page of jobs, and paging. */
import { api, type JobView, type ListQuery } from '../api.js';
import { jobCount } from '../format.js';
import { useLoaded } from '../loading.js';
import type { Route } from '../route.js';
import { BulkAction } from './BulkAction.js';
import { JobFilters } from './JobFilters.js';
import { JobTable } from './JobTable.js';
import { Link } from './Link.js';
import { Pending } from './Pending.js';
import { ViewSection } from './Parts.js';

/** Jobs per page: the API's default page. */
const PAGE_SIZE = 50;

export function JobsView({ route }: { route: Route }) {
  const query: ListQuery = { ...route.filter, order: route.order, cursor: route.cursor, limit: PAGE_SIZE };
  const page = useLoaded('loading jobs', JSON.stringify(query), () => api.listJobs(query));
  return (
    <ViewSection title="Jobs">
      <JobFilters route={route} />
      <BulkAction filter={route.filter} />
      {page.data === undefined ? <Pending loaded={page} what="jobs" /> : <JobPage jobs={page.data.jobs} nextCursor={page.data.nextCursor} route={route} />}
    </ViewSection>
  );
}

function JobPage({ jobs, nextCursor, route }: { jobs: JobView[]; nextCursor: string | null; route: Route }) {
  return (
    <>
      <JobTable jobs={jobs} caption={`${jobCount(jobs.length)} on ${route.cursor === undefined ? 'the first' : 'this'} page`} />
      <nav class="pager" aria-label="Pages">
        {route.cursor === undefined ? null : <Link to={{ ...route, cursor: undefined }}>First page</Link>}
        {nextCursor === null ? null : <Link to={{ ...route, cursor: nextCursor }}>Next page</Link>}
      </nav>
    </>
  );
}
