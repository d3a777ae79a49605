/**
 * A bulk action on the list's current filter, in three steps: count what it would touch, confirm
 * with that number on the button, then follow the operation's progress until it ends.
 */
import { useEffect, useState } from 'preact/hooks';
import { ACTION_STATES, api, BULK_ACTIONS, type BulkAction as Action } from '../api.js';
import { capitalised, jobCount } from '../format.js';
import { useActions } from '../loading.js';
import { countMatching, describeFilter, toOperationFilter, type MatchCount } from '../operation-filter.js';
import type { JobFilter } from '../route.js';
import { OperationProgress } from './OperationProgress.js';
import { SelectField } from './Parts.js';

type Step = { kind: 'idle' } | { kind: 'counting' } | { kind: 'confirm'; action: Action; matched: MatchCount } | { kind: 'started'; id: string; expected: number };

export function BulkAction({ filter }: { filter: JobFilter }) {
  const [action, setAction] = useState<Action>('retry');
  const [step, setStep] = useState<Step>({ kind: 'idle' });
  const { busy, run } = useActions();
  const operationFilter = toOperationFilter(filter);
  const filterKey = JSON.stringify(operationFilter);
  // A count made for another filter or action no longer holds; a started operation stays shown.
  useEffect(() => setStep((s) => (s.kind === 'started' ? s : { kind: 'idle' })), [filterKey, action]);

  const count = async () => {
    setStep({ kind: 'counting' });
    const counted = await run('counting the matching jobs', async () => setStep({ kind: 'confirm', action, matched: await countMatching(action, operationFilter) }));
    if (!counted) setStep({ kind: 'idle' });
  };
  const start = (chosen: Action, expected: number) =>
    run(`starting a bulk ${chosen}`, async () => setStep({ kind: 'started', id: (await api.startOperation({ action: chosen, filter: operationFilter })).id, expected }));

  return (
    <section class="bulk" aria-labelledby="bulk-title">
      <h3 id="bulk-title">Bulk action on this filter</h3>
      <p class="hint">Applies to {describeFilter(operationFilter)}. Jobs that changed meanwhile are skipped, never forced.</p>
      <div class="row">
        <SelectField<Action> id="bulk-action" label="Action" value={action} options={BULK_ACTIONS.map((a) => [a, a] as const)} onChange={(chosen) => setAction(chosen || 'retry')} />
        <button type="button" onClick={count} disabled={busy || step.kind === 'counting'}>
          Count matching jobs
        </button>
      </div>
      <div aria-live="polite">
        {step.kind === 'counting' ? <p>Counting the matching jobs…</p> : null}
        {step.kind === 'confirm' ? <Confirm step={step} busy={busy} onConfirm={() => start(step.action, step.matched.count)} onCancel={() => setStep({ kind: 'idle' })} /> : null}
      </div>
      {step.kind === 'started' ? <OperationProgress id={step.id} expected={step.expected} /> : null}
    </section>
  );
}

function Confirm({ step, busy, onConfirm, onCancel }: { step: Extract<Step, { kind: 'confirm' }>; busy: boolean; onConfirm: () => void; onCancel: () => void }) {
  const { count, complete } = step.matched;
  if (count === 0) return <p class="confirm">No {ACTION_STATES[step.action].join(' or ')} job matches this filter: there is nothing to {step.action}.</p>;
  const touched = complete ? jobCount(count) : `more than ${jobCount(count)}`;
  return (
    <div class="confirm" role="group" aria-labelledby="bulk-confirm-text">
      <p id="bulk-confirm-text">
        This will {step.action} <strong data-bulk-count={count}>{touched}</strong>. Continue?
      </p>
      <button type="button" class="danger" onClick={onConfirm} disabled={busy}>
        {capitalised(step.action)} {touched}
      </button>
      <button type="button" class="secondary" onClick={onCancel} disabled={busy}>
        Cancel
      </button>
    </div>
  );
}
