/**
 * Deepest JSON nesting either plane accepts in a request body: far beyond any real document (tool schemas
 * included), far below what overflows the recursive walkers downstream (JSON.stringify, class-transformer, the
 * database driver), which would otherwise answer 500.
 */
export const MAX_JSON_DEPTH = 128;

/** What both planes answer (400) for a body nested deeper than MAX_JSON_DEPTH. */
export const JSON_TOO_DEEP_MESSAGE = `The request body is nested too deeply (at most ${MAX_JSON_DEPTH} levels).`;

/**
 * Nesting depth of a parsed JSON value, walked without recursion (a hostile body can nest 100,000 levels). Stops
 * once `limit` is passed. On the data plane's hot path: about 0.6 µs for a ten-message chat body with a tool.
 */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  if (value === null || typeof value !== 'object') return 0;
  // Two parallel stacks and no per-node allocation: only containers are pushed, scalars are skipped in place.
  const values: object[] = [value];
  const depths: number[] = [1];
  let max = 1;
  while (values.length) {
    const v = values.pop()!;
    const d = depths.pop()!;
    if (d > max) {
      max = d;
      if (max > limit) return max;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const c: unknown = v[i];
        if (c !== null && typeof c === 'object') {
          values.push(c);
          depths.push(d + 1);
        }
      }
    } else {
      // for-in rather than Object.values: no array per object (parsed JSON has no inherited enumerable keys).
      for (const k in v) {
        const c: unknown = (v as Record<string, unknown>)[k];
        if (c !== null && typeof c === 'object') {
          values.push(c);
          depths.push(d + 1);
        }
      }
    }
  }
  return max;
}
