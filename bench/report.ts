/** Prints the bench's one table, and says what machine it ran on. */
import { cpus, totalmem } from 'node:os';

export interface Row {
  section: string;
  metric: string;
  single: string;
  batched: string;
  note?: string;
}

export function machineSummary(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

export function printTable(rows: Row[], title: string): void {
  const header: Row = { section: 'section', metric: 'metric', single: 'single posts', batched: 'batched posts', note: 'note' };
  const all = [header, ...rows];
  const width = (key: keyof Row) => Math.max(...all.map((r) => (r[key] ?? '').length));
  const widths = { section: width('section'), metric: width('metric'), single: width('single'), batched: width('batched') };
  const line = (r: Row) =>
    `${r.section.padEnd(widths.section)} | ${r.metric.padEnd(widths.metric)} | ${r.single.padStart(widths.single)} | ${r.batched.padStart(widths.batched)} | ${r.note ?? ''}`.trimEnd();
  process.stdout.write(`\n${title}\n\n${line(header)}\n${'-'.repeat(line(header).length + 20)}\n${rows.map(line).join('\n')}\n`);
}
