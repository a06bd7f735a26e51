import type { UsageRowRaw } from './usage-report.repository';

const TEXT_COLUMNS = ['day', 'keyId', 'keyName', 'teamId', 'teamName', 'model'] as const;
const NUMBER_COLUMNS = ['requests', 'errors', 'promptTokens', 'completionTokens', 'totalTokens', 'costUsd'] as const;
const COLUMNS = [...TEXT_COLUMNS, ...NUMBER_COLUMNS] as const;
const NUMERIC: ReadonlySet<string> = new Set(NUMBER_COLUMNS);

/** A plain decimal as llmp writes counts and costs; anything else in a numeric column is treated as text. */
const DECIMAL = /^-?\d+(\.\d+)?$/;
/** A cell starting with one of these is evaluated as a formula by some spreadsheet (OWASP's CSV injection list). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell. Text cells (names, ids, models: they come from users and clients) that a spreadsheet would evaluate
 * get a leading `'`, whatever follows, so `-2+3+cmd|' /C calc'!A0` is text too. Counts and costs are numbers llmp
 * computed; they are written as plain decimals (a negative one keeps its sign) and only neutralised if not one.
 */
export function csvCell(v: unknown, numeric = false): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (!(numeric && DECIMAL.test(s)) && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV lines (header first) of the report rows, produced lazily so large reports stream. */
export function* usageCsvLines(rows: readonly UsageRowRaw[], dims: ReadonlySet<string>): Generator<string> {
  const columns = COLUMNS.filter((c) => {
    if (c === 'day') return dims.has('day');
    if (c === 'keyId' || c === 'keyName') return dims.has('key');
    if (c === 'teamId' || c === 'teamName') return dims.has('team');
    if (c === 'model') return dims.has('model');
    return true;
  });
  yield columns.join(',') + '\n';
  for (const row of rows) yield columns.map((c) => csvCell(row[c], NUMERIC.has(c))).join(',') + '\n';
}
