/**
 * Postgres rejects NUL in text and jsonb, and lone UTF-16 surrogates cannot be encoded as UTF-8; both arrive from
 * clients (model names, error text). They are repaired before writing so one bad byte never blocks the queue.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function repairText(value: string): string {
  return value.replace(/\u0000/g, '').replace(LONE_SURROGATE, '\uFFFD');
}

/** repairText over every string (object keys included) of a JSON-like value. */
export function repairDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return repairText(value);
  if (depth > 64 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => repairDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[repairText(k)] = repairDeep(v, depth + 1);
  return out;
}
