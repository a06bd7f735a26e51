const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * Nesting depth of JSON text, read before it is parsed: `JSON.parse` spends seconds on a few megabytes of `[[[[`
 * before any check on the parsed value could run. One linear pass; string contents are skipped with `indexOf`
 * (native speed), so a body that is mostly prompt text costs little more than a copy. Stops and returns as soon
 * as `limit` is passed. Brackets inside strings (escaped quotes included) do not count. Works on the decoded
 * string: UTF-8 multi-byte sequences never contain ASCII bytes, so they can hide no quote or bracket. Says nothing
 * about validity: malformed text is left to `JSON.parse`, which is fast once nesting is bounded.
 */
export function jsonTextDepth(text: string, limit: number): number {
  const n = text.length;
  let depth = 0;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i + 1);
      if (i < 0) return max;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return max;
}

/** Index of the quote that closes a string whose content starts at `from`, or -1 when it never closes. */
function stringEnd(text: string, from: number): number {
  let at = from;
  for (;;) {
    const q = text.indexOf('"', at);
    if (q < 0) return -1;
    // The quote is escaped when an odd number of backslashes precedes it. Each run is counted once: linear overall.
    let b = q - 1;
    while (b >= from && text.charCodeAt(b) === BACKSLASH) b--;
    if ((q - 1 - b) % 2 === 0) return q;
    at = q + 1;
  }
}
