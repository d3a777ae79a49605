/**
 * Loading data and running actions, with failures sent to the error banner. Every loader reloads
 * when the refresh counter moves (an event arrived, or a poll is due), so each view stays current
 * without knowing where updates come from.
 */
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { clearProblem, reportProblem } from './problems.js';

/** Moves whenever what is on screen may be stale. */
export const RefreshContext = createContext(0);

export interface Loaded<T> {
  /** The data for the current key; undefined until it first arrives. */
  data: T | undefined;
  loading: boolean;
  /** The latest answer was a failure (the banner says which). */
  failed: boolean;
  reload: () => void;
}

/**
 * Loads with `load` at first, whenever `key` changes, and at every refresh. While a refresh runs
 * the last data stays on screen; data of an older key is never shown for a newer one.
 *
 * One request at a time per key: a refresh asked for while one is in flight runs once it ends.
 * (Starting one per event would pile up requests on a busy stack, each slower than the last.)
 */
export function useLoaded<T>(what: string, key: string, load: () => Promise<T>): Loaded<T> {
  const refresh = useContext(RefreshContext);
  const [reloads, setReloads] = useState(0);
  const [state, setState] = useState<{ key: string; data: T } | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [failed, setFailed] = useState(false);
  const latest = useRef({ what, key, load });
  latest.current = { what, key, load };
  const flight = useRef<{ key: string; again: boolean } | undefined>(undefined);

  useEffect(() => {
    if (flight.current?.key === key) {
      flight.current.again = true;
      return;
    }
    const start = () => {
      const { what: doing, key: asked, load: call } = latest.current;
      const mine = { key: asked, again: false };
      flight.current = mine;
      setLoading(true);
      const settle = (apply: () => void) => {
        // An answer for a key the view has moved away from is dropped.
        if (asked === latest.current.key) apply();
        if (flight.current !== mine) return;
        flight.current = undefined;
        if (mine.again) start();
        else setLoading(false);
      };
      call().then(
        (data) => settle(() => (setState({ key: asked, data }), setFailed(false), clearProblem('load'))),
        (error: unknown) => settle(() => (setFailed(true), reportProblem('load', doing, error))),
      );
    };
    start();
  }, [key, refresh, reloads]);
  const reload = useCallback(() => setReloads((n) => n + 1), []);
  return { data: state?.key === key ? state.data : undefined, loading, failed, reload };
}

export interface Actions {
  busy: boolean;
  /** Runs `action`; true when it succeeded. A failure is shown in the banner. */
  run: (what: string, action: () => Promise<unknown>) => Promise<boolean>;
}

/** Runs one action at a time (its buttons are disabled meanwhile). */
export function useActions(): Actions {
  const [busy, setBusy] = useState(false);
  const run = useCallback(async (what: string, action: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await action();
      clearProblem('action');
      return true;
    } catch (error) {
      reportProblem('action', what, error);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, run };
}
