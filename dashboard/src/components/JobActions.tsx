/**
 * What an operator can do to one job, offered only where the API allows it: retry a failed or
 * trashed job; trash an open one, or cancel its running attempt; suspend; resume a suspended one.
 */
import { api, type JobView } from '../api.js';
import { useActions } from '../loading.js';

interface Offer {
  label: string;
  /** Said in the banner if the API refuses: "retrying job x". */
  doing: string;
  call: (id: string) => Promise<JobView>;
  danger?: boolean;
}

function offers(job: JobView): Offer[] {
  const stopping = job.stopRequested !== null;
  const list: Offer[] = [];
  if (job.state === 'failed' || job.state === 'trashed') list.push({ label: 'Retry', doing: 'retrying', call: api.retryJob });
  if (job.state === 'claimed' && !stopping) list.push({ label: 'Cancel run', doing: 'cancelling', call: api.trashJob, danger: true });
  if (job.state === 'posted' || job.state === 'waiting' || job.state === 'suspended') list.push({ label: 'Trash', doing: 'trashing', call: api.trashJob, danger: true });
  if ((job.state === 'posted' || job.state === 'waiting' || job.state === 'claimed') && !stopping) list.push({ label: 'Suspend', doing: 'suspending', call: api.suspendJob });
  if (job.state === 'suspended') list.push({ label: 'Resume', doing: 'resuming', call: api.resumeJob });
  return list;
}

export function JobActions({ job, onDone }: { job: JobView; onDone: () => void }) {
  const { busy, run } = useActions();
  const available = offers(job);
  return (
    <div class="actions" role="group" aria-label="Job actions">
      {available.length === 0 ? <p class="hint">No action applies to a {job.state} job.</p> : null}
      {available.map((offer) => (
        <button
          key={offer.label}
          type="button"
          class={offer.danger === true ? 'danger' : undefined}
          disabled={busy}
          onClick={async () => {
            if (await run(`${offer.doing} job ${job.id}`, () => offer.call(job.id))) onDone();
          }}
        >
          {offer.label}
        </button>
      ))}
      {job.stopRequested === null ? null : <p class="note">Stop requested ({job.stopRequested}): the running attempt is being stopped.</p>}
    </div>
  );
}
