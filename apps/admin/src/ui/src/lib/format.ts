const int = new Intl.NumberFormat('en-US');
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 4 });

export function fmtInt(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : int.format(n);
}

export function fmtUsd(n: number | string | null | undefined): string {
  if (n === null || n === undefined || n === '') return '—';
  return usd.format(Number(n));
}

export function fmtPct(n: number): string {
  return `${(n * 100).toFixed(n > 0 && n < 0.01 ? 2 : 1)}%`;
}

export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

/** UTC midnight of today and of the first of this month, as ISO strings (the server's report boundaries are UTC). */
export function utcStarts(now = new Date()): { today: string; month: string } {
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  return { today: today.toISOString(), month: month.toISOString() };
}

/** `YYYY-MM-DD` (UTC) of an instant, for date inputs. */
export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}
