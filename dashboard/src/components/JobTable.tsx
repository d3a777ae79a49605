/** One page of jobs as a table; each id links to the job's detail. */
import type { JobView } from '../api.js';
import { formatTime } from '../format.js';
import { jobRoute } from '../route.js';
import { Link } from './Link.js';
import { StateBadge } from './StateBadge.js';
import { TableHead } from './Parts.js';

export function JobTable({ jobs, caption }: { jobs: readonly JobView[]; caption: string }) {
  if (jobs.length === 0) return <p class="empty">No jobs match these filters.</p>;
  return (
    <table class="jobs">
      <caption>{caption}</caption>
      <TableHead columns={['Job', 'Type', 'Board', 'State', 'Attempts', 'Created', 'Ended']} />
      <tbody>
        {jobs.map((job) => (
          <tr key={job.id} data-job-id={job.id} data-state={job.state}>
            <th scope="row">
              <Link to={jobRoute(job.id)}>{job.id}</Link>
            </th>
            <td>{job.type}</td>
            <td>{job.board}</td>
            <td>
              <StateBadge state={job.state} />
              {job.stopRequested === null ? null : <span class="note"> ({job.stopRequested} requested)</span>}
            </td>
            <td>
              {job.attempts} / {job.maxAttempts}
            </td>
            <td>{formatTime(job.createdAt)}</td>
            <td>{formatTime(job.endedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
