import type { UsageRowRaw } from './usage-report.repository';

const COLUMNS = ['day', 'keyId', 'keyName', 'teamId', 'teamName', 'model', 'requests', 'errors', 'promptTokens',
  'completionTokens', 'totalTokens', 'costUsd'] as const;

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  // Spreadsheets execute cells starting with these; names come from users.
  if (/^[=+\-@\t\r]/.test(s) && typeof v === 'string' && !/^-?\d/.test(s)) s = `'${s}`;
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
  for (const row of rows) yield columns.map((c) => cell(row[c])).join(',') + '\n';
}
