import type { UsagePlan } from './usage-report.repository';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const floorTo = (t: number, unit: number): number => Math.floor(t / unit) * unit;
const ceilTo = (t: number, unit: number): number => Math.ceil(t / unit) * unit;

/**
 * Splits [from, to) so each part is answered by the cheapest exact source: whole UTC days from day rollups, whole
 * hours at the day edges from hour rollups, and the sub-hour edges from the raw ledger.
 */
export function planUsageRanges(from: Date, to: Date): UsagePlan {
  const a = from.getTime();
  const b = to.getTime();
  const plan: UsagePlan = { raw: [], hour: [], day: [] };
  const add = (list: [Date, Date][], x: number, y: number): void => {
    if (y > x) list.push([new Date(x), new Date(y)]);
  };
  const h1 = ceilTo(a, HOUR);
  const h2 = floorTo(b, HOUR);
  if (h1 >= h2) {
    add(plan.raw, a, b);
    return plan;
  }
  add(plan.raw, a, h1);
  add(plan.raw, h2, b);
  const d1 = ceilTo(h1, DAY);
  const d2 = floorTo(h2, DAY);
  if (d1 >= d2) {
    add(plan.hour, h1, h2);
    return plan;
  }
  add(plan.hour, h1, d1);
  add(plan.hour, d2, h2);
  add(plan.day, d1, d2);
  return plan;
}
