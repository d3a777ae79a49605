/** Says whether the page updates from the event stream or by polling (a status region: announced when it changes). */
import type { LiveMode } from '../live.js';

const TEXT: Record<LiveMode, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  polling: 'Polling',
};

const TITLE: Record<LiveMode, string> = {
  connecting: 'Opening the event stream',
  live: 'Updates as jobs change (event stream)',
  polling: 'No event stream here: the page refreshes every few seconds',
};

export function LiveIndicator({ mode, pollSeconds }: { mode: LiveMode; pollSeconds: number }) {
  return (
    <p class={`live live-${mode}`} role="status" title={TITLE[mode]} data-live-mode={mode}>
      <span class="live-dot" aria-hidden="true" />
      {mode === 'polling' ? `${TEXT[mode]} every ${pollSeconds} s` : TEXT[mode]}
    </p>
  );
}
