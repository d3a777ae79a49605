/** Small pieces every view uses: the view's titled section, a table's column headers, a labelled select. */
import type { ComponentChildren } from 'preact';

/**
 * A view: its heading is `view-title` (the section is named by it), focusable so that the app can
 * move the focus there when the view changes.
 */
export function ViewSection({ title, children, class: className }: { title: ComponentChildren; children: ComponentChildren; class?: string }) {
  return (
    <section aria-labelledby="view-title" class={className}>
      <h2 id="view-title" tabIndex={-1}>
        {title}
      </h2>
      {children}
    </section>
  );
}

/** Column headers; `numeric` ones are right-aligned. */
export function TableHead({ columns, numeric = [] }: { columns: readonly string[]; numeric?: readonly string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column) => (
          <th scope="col" key={column} class={numeric.includes(column) ? 'count' : undefined}>
            {column}
          </th>
        ))}
      </tr>
    </thead>
  );
}

export interface SelectFieldProps<V extends string> {
  id: string;
  label: string;
  value: V | '';
  /** `[value, text]`; a value of '' is the "no choice" option. */
  options: readonly (readonly [V | '', string])[];
  onChange: (value: V | '') => void;
}

/** A select with its label above it. Only values among `options` come out. */
export function SelectField<V extends string>({ id, label, value, options, onChange }: SelectFieldProps<V>) {
  const chosen = (text: string) => options.find(([v]) => v === text)?.[0] ?? '';
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(chosen(e.currentTarget.value))}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}
