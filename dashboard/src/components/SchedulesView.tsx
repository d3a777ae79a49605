/** The periodic schedules: what each posts, when, and the job its latest slot posted. */
import { api, type ScheduleList } from '../api.js';
import { formatTime } from '../format.js';
import { useLoaded } from '../loading.js';
import { jobRoute } from '../route.js';
import { Link } from './Link.js';
import { Pending } from './Pending.js';
import { TableHead, ViewSection } from './Parts.js';

export function SchedulesView() {
  const schedules = useLoaded('loading schedules', 'schedules', () => api.listSchedules());
  return (
    <ViewSection title="Schedules">
      {schedules.data === undefined ? <Pending loaded={schedules} what="schedules" /> : <ScheduleTable schedules={schedules.data.schedules} />}
    </ViewSection>
  );
}

function ScheduleTable({ schedules }: ScheduleList) {
  if (schedules.length === 0) return <p class="empty">No schedules. Create one with PUT /schedules/&#123;name&#125; or `jobboard schedule`.</p>;
  return (
    <table class="schedules">
      <TableHead columns={['Schedule', 'Posts', 'When', 'Overlap', 'Status', 'Next run', 'Last job']} />
      <tbody>
        {schedules.map((s) => (
          <tr key={s.name} data-schedule={s.name}>
            <th scope="row">{s.name}</th>
            <td>
              {s.type}
              {s.board === null ? '' : ` on ${s.board}`}
            </td>
            <td>{s.cron === null ? `every ${s.every ?? '?'} s` : `${s.cron} (${s.timezone})`}</td>
            <td>{s.overlap}</td>
            <td>{s.paused ? 'paused' : 'active'}</td>
            <td>{formatTime(s.nextRunAt)}</td>
            <td>{s.lastJobId === null ? '—' : <Link to={jobRoute(s.lastJobId)}>{s.lastJobId}</Link>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
