/** One job: its state and actions, fields, progress, payload, result, attempt history and errors. */
import type { ComponentChildren } from 'preact';
import { api, type JobView } from '../api.js';
import { formatJson, formatTime } from '../format.js';
import { useLoaded } from '../loading.js';
import { jobRoute, jobsRoute } from '../route.js';
import { JobActions } from './JobActions.js';
import { JobErrors, JobHistory } from './JobAttempts.js';
import { Link } from './Link.js';
import { StateBadge } from './StateBadge.js';
import { Pending } from './Pending.js';
import { ViewSection } from './Parts.js';

export function JobDetail({ id }: { id: string }) {
  const job = useLoaded(`loading job ${id}`, id, () => api.getJob(id));
  return (
    <ViewSection
      class="job-detail"
      title={
        <>
          Job <code>{id}</code> {job.data === undefined ? null : <StateBadge state={job.data.state} />}
        </>
      }
    >
      {job.data === undefined ? <Pending loaded={job} what="the job" /> : <JobBody job={job.data} reload={job.reload} />}
    </ViewSection>
  );
}

function JobBody({ job, reload }: { job: JobView; reload: () => void }) {
  return (
    <>
      <JobActions job={job} onDone={reload} />
      <dl class="fields">
        <Field name="Type">
          {job.type} (version {job.typeVersion})
        </Field>
        <Field name="Board">
          <Link to={jobsRoute({ board: job.board })}>{job.board}</Link>
        </Field>
        <Field name="Priority">{job.priority}</Field>
        <Field name="Attempts">
          {job.attempts} of {job.maxAttempts}
        </Field>
        <Field name="Owner">{job.owner ?? '—'}</Field>
        <Field name="Lease until">{formatTime(job.leaseExpiresAt)}</Field>
        <Field name="Created">{formatTime(job.createdAt)}</Field>
        <Field name="Started">{formatTime(job.startedAt)}</Field>
        <Field name="Ended">{formatTime(job.endedAt)}</Field>
        <Field name="Run at">{formatTime(job.runAt)}</Field>
        <Field name="Dispatch by">{formatTime(job.dispatchBy)}</Field>
        <Field name="Timeout">{job.timeoutSeconds} s</Field>
        {job.dependsOn.length === 0 ? null : (
          <Field name="Depends on">
            <IdLinks ids={job.dependsOn} /> {job.waitingOn.length === 0 ? null : <span class="note">(waiting on {job.waitingOn.length})</span>}
          </Field>
        )}
        {job.scopes.length === 0 ? null : <Field name="Scopes">{job.scopes.map((s) => (s.limit === 1 ? s.key : `${s.key} (≤ ${s.limit})`)).join(', ')}</Field>}
        {job.uniqueKey === null ? null : <Field name="Unique key">{job.uniqueKey}</Field>}
      </dl>
      <Progress value={job.progress} />
      <section aria-labelledby="payload-title">
        <h3 id="payload-title">Payload</h3>
        <pre class="json">{formatJson(job.payload)}</pre>
      </section>
      <section aria-labelledby="result-title">
        <h3 id="result-title">Result</h3>
        <pre class="json">{formatJson(job.result)}</pre>
      </section>
      <JobHistory history={job.history} />
      <JobErrors errors={job.errors} />
    </>
  );
}

function Field({ name, children }: { name: string; children: ComponentChildren }) {
  return (
    <div>
      <dt>{name}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function IdLinks({ ids }: { ids: readonly string[] }) {
  return (
    <>
      {ids.map((id, i) => (
        <span key={id}>
          {i === 0 ? '' : ', '}
          <Link to={jobRoute(id)}>{id}</Link>
        </span>
      ))}
    </>
  );
}

/** What the job last reported with `ctx.progress()`: a percentage as a bar, anything else as JSON. */
function Progress({ value }: { value: unknown }) {
  if (value === null || value === undefined) return null;
  return (
    <section aria-labelledby="progress-title">
      <h3 id="progress-title">Progress</h3>
      {typeof value === 'number' ? (
        <p>
          <progress max={100} value={value} aria-labelledby="progress-title" /> {value}%
        </p>
      ) : (
        <pre class="json">{formatJson(value)}</pre>
      )}
    </section>
  );
}
