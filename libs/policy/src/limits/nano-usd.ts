import { NANO_PER_USD } from './reservation';

/** USD to integer nano-USD. Reservations round up so a budget is never undercounted. */
export function usdToNano(usd: number, rounding: 'ceil' | 'round'): number {
  if (!Number.isFinite(usd) || usd <= 0) return 0;
  const v = usd * NANO_PER_USD;
  // Float noise (0.1 * 1e9 = 100000000.00000001) must not cost a whole nano-dollar on each request.
  return rounding === 'ceil' ? Math.ceil(v - 1e-6) : Math.round(v);
}

/** An exact decimal string from Postgres (e.g. `12.3456789012`) to nano-USD as a string, rounded up. */
export function decimalUsdToNano(decimal: string): string {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(decimal.trim());
  if (!m) throw new Error(`not a decimal: ${decimal}`);
  const [, sign, whole, frac = ''] = m;
  let nano = BigInt(whole || '0') * 1_000_000_000n + BigInt((frac.slice(0, 9) || '0').padEnd(9, '0'));
  if (/[1-9]/.test(frac.slice(9))) nano += 1n;
  return sign === '-' ? '0' : nano.toString();
}
