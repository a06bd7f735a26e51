/**
 * Deepest JSON nesting either plane accepts in a request body: far beyond any real document (tool schemas
 * included), far below what overflows the recursive walkers downstream (JSON.stringify, class-transformer, the
 * database driver), which would otherwise answer 500.
 */
export const MAX_JSON_DEPTH = 128;

/**
 * Nesting depth of a parsed JSON value, walked without recursion (a hostile body can nest 100,000 levels). Stops
 * counting once `limit` is passed, so the cost is bounded by the body's size and the limit.
 */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    max = Math.max(max, d + 1);
    if (max > limit) return max;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}
