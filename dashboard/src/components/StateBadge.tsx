/** A job's (or an operation's) state as a coloured label; the word itself carries the meaning. */
export function StateBadge({ state }: { state: string }) {
  return <span class={`state state-${state}`}>{state}</span>;
}
