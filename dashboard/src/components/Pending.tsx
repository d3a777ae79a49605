/** What shows before data arrives: "Loading …", or, once loading failed, a pointer to the banner. */
import type { Loaded } from '../loading.js';

export function Pending({ loaded, what }: { loaded: Pick<Loaded<unknown>, 'failed'>; what: string }) {
  if (loaded.failed) return <p class="empty">Could not load {what}: the message above says why. The page keeps trying.</p>;
  return <p aria-busy="true">Loading {what}…</p>;
}
