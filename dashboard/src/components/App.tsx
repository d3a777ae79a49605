/** The page: header (navigation, live indicator), the error banner, and the view the URL names. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { startLiveUpdates, type LiveMode } from '../live.js';
import { RefreshContext } from '../loading.js';
import { useRoute, viewRoute, type Route, type View } from '../route.js';
import { BoardsView } from './BoardsView.js';
import { ErrorBanner } from './ErrorBanner.js';
import { JobDetail } from './JobDetail.js';
import { JobsView } from './JobsView.js';
import { Link } from './Link.js';
import { LiveIndicator } from './LiveIndicator.js';
import { OperationDetail, OperationsView } from './OperationsView.js';
import { SchedulesView } from './SchedulesView.js';

const POLL_SECONDS = 3;

const NAV: readonly { view: View; label: string; also?: View }[] = [
  { view: 'jobs', label: 'Jobs', also: 'job' },
  { view: 'boards', label: 'Boards' },
  { view: 'schedules', label: 'Schedules' },
  { view: 'operations', label: 'Operations', also: 'operation' },
];

export function App() {
  const route = useRoute();
  const [mode, setMode] = useState<LiveMode>('connecting');
  const [refresh, setRefresh] = useState(0);
  // A token entered in the banner restarts the event stream (the old one was refused).
  const [auth, setAuth] = useState(0);
  useEffect(
    () =>
      startLiveUpdates({
        onChange: () => setRefresh((n) => n + 1),
        onMode: setMode,
        pollMs: POLL_SECONDS * 1_000,
        retryStreamMs: 15_000,
        coalesceMs: 300,
      }),
    [auth],
  );
  useViewFocus(route);

  return (
    <RefreshContext.Provider value={refresh}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <h1>Jobboard</h1>
        <nav aria-label="Views">
          <ul>
            {NAV.map((item) => (
              <li key={item.view}>
                <Link to={viewRoute(item.view)} current={route.view === item.view || route.view === item.also}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <LiveIndicator mode={mode} pollSeconds={POLL_SECONDS} />
      </header>
      <ErrorBanner onToken={() => (setAuth((n) => n + 1), setRefresh((n) => n + 1))} />
      <main id="main" tabIndex={-1}>
        <CurrentView route={route} />
      </main>
    </RefreshContext.Provider>
  );
}

function CurrentView({ route }: { route: Route }) {
  switch (route.view) {
    case 'jobs':
      return <JobsView route={route} />;
    case 'job':
      return route.id === undefined ? <JobsView route={route} /> : <JobDetail id={route.id} />;
    case 'boards':
      return <BoardsView />;
    case 'schedules':
      return <SchedulesView />;
    case 'operations':
      return <OperationsView />;
    case 'operation':
      return route.id === undefined ? <OperationsView /> : <OperationDetail id={route.id} />;
  }
}

/**
 * When the view (not just a filter) changes, the title follows and focus moves to the new view's
 * heading, so keyboard and screen-reader users land on what they asked for.
 */
function useViewFocus(route: Route): void {
  const first = useRef(true);
  useEffect(() => {
    const label = NAV.find((item) => item.view === route.view || item.also === route.view)?.label ?? 'Jobs';
    document.title = `${route.id ?? label} · Jobboard`;
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>('main h2')?.focus();
  }, [route.view, route.id]);
}
