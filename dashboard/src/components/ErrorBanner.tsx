/**
 * The error banner: says plainly when the API is unreachable, wants a token, or refused something,
 * with the API's error code and message. An alert region, so screen readers announce it.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { capitalised } from '../format.js';
import { dismissProblem, useProblem, type Problem } from '../problems.js';
import { apiToken, setApiToken } from '../request.js';

function title(problem: Problem): string {
  switch (problem.kind) {
    case 'unreachable':
      return 'The Jobboard API is unreachable';
    case 'unauthorized':
      return 'The API requires a bearer token';
    case 'refused':
      return `${capitalised(problem.what)} failed: the API refused`;
    case 'unexpected':
      return `${capitalised(problem.what)} failed unexpectedly`;
  }
}

function hint(problem: Problem): ComponentChildren {
  if (problem.kind === 'unreachable') {
    return (
      <>
        Is the stack running? Start it with <code>npm start</code> (or <code>jobboard dashboard --url …</code> for a deployed API). The page keeps trying.
      </>
    );
  }
  if (problem.kind === 'unauthorized') {
    return (
      <>
        This stack was started with <code>JOBBOARD_API_TOKEN</code> set. Enter that token; it is kept for this tab only.
      </>
    );
  }
  return undefined;
}

export function ErrorBanner({ onToken }: { onToken: () => void }) {
  const problem = useProblem();
  if (problem === undefined) return null;
  const help = hint(problem);
  return (
    <div class={`banner banner-${problem.kind}`} role="alert" data-problem={problem.kind}>
      <p class="banner-title">
        <strong>{title(problem)}</strong>
      </p>
      <p>
        <code class="banner-code">{problem.code}</code>
        {problem.status === undefined ? '' : ` (HTTP ${problem.status})`}: {problem.message}
      </p>
      {help === undefined ? null : <p>{help}</p>}
      {problem.kind === 'unauthorized' ? <TokenForm onToken={onToken} /> : null}
      <button type="button" class="secondary" onClick={dismissProblem}>
        Dismiss
      </button>
    </div>
  );
}

function TokenForm({ onToken }: { onToken: () => void }) {
  const [token, setToken] = useState(apiToken() ?? '');
  const submit = (event: Event) => {
    event.preventDefault();
    setApiToken(token.trim());
    dismissProblem();
    onToken();
  };
  return (
    <form class="token-form" onSubmit={submit}>
      <label for="api-token">API token</label>
      <input id="api-token" type="password" autocomplete="off" value={token} onInput={(e) => setToken(e.currentTarget.value)} required />
      <button type="submit">Use token</button>
    </form>
  );
}
