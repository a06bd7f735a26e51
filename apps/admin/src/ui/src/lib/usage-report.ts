import type { UsageRowDto } from '../api/schema.gen';

export type UsageDimension = 'day' | 'key' | 'team' | 'model';
export const DIMENSIONS: UsageDimension[] = ['day', 'key', 'team', 'model'];

type Column = keyof UsageRowDto;
const COLUMNS: Column[] = ['day', 'keyId', 'keyName', 'teamId', 'teamName', 'model', 'requests', 'errors', 'promptTokens', 'completionTokens', 'totalTokens', 'costUsd'];

/** The columns a report grouped by `dims` has: the same rule (and order) as the server's CSV. */
export function reportColumns(dims: ReadonlySet<UsageDimension>): Column[] {
  return COLUMNS.filter((c) => {
    if (c === 'day') return dims.has('day');
    if (c === 'keyId' || c === 'keyName') return dims.has('key');
    if (c === 'teamId' || c === 'teamName') return dims.has('team');
    if (c === 'model') return dims.has('model');
    return true;
  });
}

const NUMERIC: ReadonlySet<Column> = new Set(['requests', 'errors', 'promptTokens', 'completionTokens', 'totalTokens', 'costUsd']);

/**
 * One CSV cell exactly as the server writes it (apps/admin/src/usage/usage-csv.ts): text cells a spreadsheet would
 * evaluate get a leading quote whatever follows; counts and costs stay plain decimals.
 */
function cell(v: unknown, numeric: boolean): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (!(numeric && /^-?\d+(\.\d+)?$/.test(s)) && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The CSV of exactly the rows shown, byte-identical to GET /admin/v1/usage?format=csv for the same query. */
export function usageCsv(rows: readonly UsageRowDto[], dims: ReadonlySet<UsageDimension>): string {
  const cols = reportColumns(dims);
  return [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c], NUMERIC.has(c))).join(','))].map((l) => l + '\n').join('');
}

/** Label of a row's non-day dimensions, for chart series and legends. */
export function seriesLabel(row: UsageRowDto, dims: ReadonlySet<UsageDimension>): string {
  const parts: string[] = [];
  if (dims.has('key')) parts.push(row.keyName ?? row.keyId ?? '(no key)');
  if (dims.has('team')) parts.push(row.teamName ?? row.teamId ?? '(no team)');
  if (dims.has('model')) parts.push(row.model ?? '?');
  return parts.join(' · ') || 'total';
}

export interface StackedData {
  /** One entry per day (or one "all" entry when not grouped by day), a numeric field per series. */
  points: Array<Record<string, number | string>>;
  series: string[];
}

/** Pivots report rows into stacked-chart data: x = day, one stack segment per other-dimension value (top N + other). */
export function stackRows(rows: readonly UsageRowDto[], dims: ReadonlySet<UsageDimension>, metric: 'costUsd' | 'totalTokens' | 'requests', maxSeries = 8): StackedData {
  const value = (r: UsageRowDto) => Number(r[metric]);
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(seriesLabel(r, dims), (totals.get(seriesLabel(r, dims)) ?? 0) + value(r));
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([s]) => s);
  const top = new Set(ranked.slice(0, maxSeries));
  const series = ranked.length > maxSeries ? [...ranked.slice(0, maxSeries), 'other'] : ranked;
  const byX = new Map<string, Record<string, number | string>>();
  for (const r of rows) {
    const x = dims.has('day') ? (r.day ?? '') : 'all';
    const point = byX.get(x) ?? { x };
    const s = top.has(seriesLabel(r, dims)) ? seriesLabel(r, dims) : 'other';
    point[s] = (Number(point[s] ?? 0) || 0) + value(r);
    byX.set(x, point);
  }
  const points = [...byX.values()].sort((a, b) => String(a.x).localeCompare(String(b.x)));
  return { points, series };
}
