import Table from 'cli-table3';

export type Cell = string | number | boolean | null | undefined;

// No colours: output is read by people and by scripts alike, and ANSI codes break the latter.
const PLAIN = { head: [] as string[], border: [] as string[] };

function text(v: Cell): string {
  if (v === null || v === undefined || v === '') return '-';
  return String(v);
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function printLine(line = ''): void {
  process.stdout.write(line + '\n');
}

/** A table with a header row; an empty result prints `emptyMessage` instead of a header alone. */
export function printTable(head: string[], rows: Cell[][], emptyMessage = '(none)'): void {
  if (!rows.length) {
    printLine(emptyMessage);
    return;
  }
  const table = new Table({ head, style: PLAIN });
  for (const row of rows) table.push(row.map(text));
  printLine(table.toString());
}

/** One record as a two-column table of field and value. */
export function printRecord(fields: [string, Cell][]): void {
  const table = new Table({ style: PLAIN });
  for (const [name, value] of fields) table.push({ [name]: text(value) });
  printLine(table.toString());
}

/** `2026-01-31T12:34:56.789Z` → `2026-01-31 12:34:56Z`: shorter and still unambiguous. */
export function formatTime(iso: string | null | undefined): string | undefined {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : undefined;
}

export function formatMap(map: Record<string, unknown> | null | undefined): string | undefined {
  const entries = Object.entries(map ?? {});
  return entries.length ? entries.map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(', ') : undefined;
}

export function formatList(items: readonly string[] | null | undefined): string | undefined {
  return items?.length ? items.join(', ') : undefined;
}
