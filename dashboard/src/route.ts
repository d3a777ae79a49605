/**
 * The view and its filters live in the URL (`?view=jobs&board=mail&state=failed`), so a reload or
 * a shared link shows the same thing. This module parses and writes that query and tells the app
 * when it changes (links, the back button).
 */
import { useEffect, useState } from 'preact/hooks';
import { isJobState, type JobState } from '../../lib/states.js';

export const VIEWS = ['jobs', 'job', 'boards', 'schedules', 'operations', 'operation'] as const;
export type View = (typeof VIEWS)[number];
export type Order = 'asc' | 'desc';

/** The job list's filters, as `GET /jobs` takes them (`from`/`to` ISO-8601). */
export interface JobFilter {
  board?: string;
  state?: JobState;
  type?: string;
  from?: string;
  to?: string;
}

export interface Route {
  view: View;
  filter: JobFilter;
  /** Newest first unless asked otherwise: what an operator looks for first. */
  order: Order;
  /** The page of the job list (`nextCursor` of the page before). */
  cursor?: string;
  /** The job of the `job` view, the operation of the `operation` view. */
  id?: string;
}

const FILTER_KEYS = ['board', 'state', 'type', 'from', 'to'] as const;

export function parseRoute(search: string): Route {
  const params = new URLSearchParams(search);
  const text = (key: string) => params.get(key)?.trim() || undefined;
  const view = VIEWS.find((v) => v === params.get('view')) ?? 'jobs';
  const state = text('state');
  const filter: JobFilter = { board: text('board'), state: isJobState(state) ? state : undefined, type: text('type'), from: text('from'), to: text('to') };
  return { view, filter: withoutUnset(filter), order: params.get('order') === 'asc' ? 'asc' : 'desc', cursor: text('cursor'), id: text('id') };
}

/** The query of a route, `?view=…` first; parameters that are unset are left out. */
export function hrefOf(route: Route): string {
  const params = new URLSearchParams({ view: route.view });
  if (route.id !== undefined) params.set('id', route.id);
  if (route.view === 'jobs') {
    for (const key of FILTER_KEYS) {
      const value = route.filter[key];
      if (value !== undefined) params.set(key, value);
    }
    if (route.order !== 'desc') params.set('order', route.order);
    if (route.cursor !== undefined) params.set('cursor', route.cursor);
  }
  return `/?${params.toString()}`;
}

/** The job list with this filter, first page. */
export const jobsRoute = (filter: JobFilter = {}, order: Order = 'desc'): Route => ({ view: 'jobs', filter: withoutUnset(filter), order });
export const jobRoute = (id: string): Route => ({ view: 'job', filter: {}, order: 'desc', id });
export const operationRoute = (id: string): Route => ({ view: 'operation', filter: {}, order: 'desc', id });
export const viewRoute = (view: View): Route => ({ view, filter: {}, order: 'desc' });

const NAVIGATED = 'jobboard:navigate';

/** Shows `route`: a new history entry, or the current one replaced (for a correction, not a step). */
export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const href = hrefOf(route);
  if (options.replace === true) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  window.dispatchEvent(new Event(NAVIGATED));
}

/** The route of the current URL, kept current across links and the back and forward buttons. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.search));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.search));
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATED, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATED, update);
    };
  }, []);
  return route;
}

function withoutUnset(filter: JobFilter): JobFilter {
  return Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined && value !== '')) as JobFilter;
}
