/** A job's attempt history (the last 20 attempts) and its recorded errors (the last 10). */
import type { JobView } from '../api.js';
import { formatDuration, formatTime } from '../format.js';
import { StateBadge } from './StateBadge.js';
import { TableHead } from './Parts.js';

export function JobHistory({ history }: { history: JobView['history'] }) {
  return (
    <section aria-labelledby="history-title">
      <h3 id="history-title">History</h3>
      {history.length === 0 ? (
        <p class="empty">No attempt has ended yet.</p>
      ) : (
        <table class="history">
          <TableHead columns={['Attempt', 'Outcome', 'Owner', 'Started', 'Ended', 'Took', 'Error']} />
          <tbody>
            {history.map((entry) => (
              <tr key={`${entry.attempt}-${entry.startedAt}`} data-outcome={entry.outcome}>
                <th scope="row">{entry.attempt}</th>
                <td>
                  <StateBadge state={entry.outcome} />
                </td>
                <td class="owner">{entry.owner}</td>
                <td>{formatTime(entry.startedAt)}</td>
                <td>{formatTime(entry.endedAt)}</td>
                <td>{formatDuration(entry.startedAt, entry.endedAt)}</td>
                <td>{entry.error === null ? '—' : `${entry.error.name}: ${entry.error.message}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function JobErrors({ errors }: { errors: JobView['errors'] }) {
  return (
    <section aria-labelledby="errors-title">
      <h3 id="errors-title">Errors</h3>
      {errors.length === 0 ? (
        <p class="empty">No errors recorded.</p>
      ) : (
        <ol class="errors">
          {errors.map((error) => (
            <li key={`${error.attempt}-${error.at}`} data-error-attempt={error.attempt}>
              <p>
                Attempt {error.attempt}, {formatTime(error.at)}: <strong>{error.name}</strong>
              </p>
              <pre>{error.message}</pre>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
