/** How values read on the page: times in the viewer's zone, durations, JSON. */

const pad = (n: number) => String(n).padStart(2, '0');

/** `2024-05-01 14:03:07` in the viewer's time zone; `—` when absent. */
export function formatTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—';
  const t = new Date(iso);
  return `${toLocalInput(iso).replace('T', ' ')}:${pad(t.getSeconds())}`;
}

/** `1.4 s`, `3 min 20 s`; `—` when either end is absent. */
export function formatDuration(fromIso: string | null | undefined, toIso: string | null | undefined): string {
  if (!fromIso || !toIso) return '—';
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1_000)} s`;
}

/** `1 job`, `1,200 jobs`. */
export const jobCount = (n: number): string => `${n.toLocaleString()} ${n === 1 ? 'job' : 'jobs'}`;

/** `Retry`, from `retry`. */
export const capitalised = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

export function formatJson(value: unknown): string {
  return value === undefined ? 'null' : JSON.stringify(value, null, 2);
}

/** An ISO time as a `datetime-local` input shows it (local, to the minute). */
export function toLocalInput(iso: string | undefined): string {
  if (iso === undefined) return '';
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return '';
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}T${pad(t.getHours())}:${pad(t.getMinutes())}`;
}

/** A `datetime-local` value (local time) as ISO-8601 UTC; undefined when empty or invalid. */
export function fromLocalInput(value: string): string | undefined {
  if (value === '') return undefined;
  const t = new Date(value);
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString();
}
