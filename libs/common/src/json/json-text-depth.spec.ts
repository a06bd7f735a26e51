import { jsonDepth, MAX_JSON_DEPTH } from './json-depth';
import { jsonTextDepth } from './json-text-depth';

/** The depth JSON.parse plus a walk of the value would find: the scan must agree with it on every valid document. */
const parsedDepth = (text: string): number => jsonDepth(JSON.parse(text), Infinity);

describe('jsonTextDepth', () => {
  it('agrees with the parsed depth on scalars, flat and nested documents', () => {
    for (const text of ['1', '"x"', 'null', '{}', '[]', '{"a":[1,{"b":"c"}]}', '[[[]],[[[[]]]]]', ' { "a" : { "b" : [ ] } } ']) {
      expect({ text, depth: jsonTextDepth(text, Infinity) }).toEqual({ text, depth: parsedDepth(text) });
    }
  });

  it('does not count brackets and braces inside strings, keys included', () => {
    expect(jsonTextDepth('{"[[[[{{{{":"]]]]}}}}[[[["}', Infinity)).toBe(1);
    expect(jsonTextDepth('["{", "[", "}", "]"]', Infinity)).toBe(1);
  });

  it('tells escaped quotes from closing quotes by the parity of the backslashes before them', () => {
    const cases = [
      { s: 'a"b', brackets: '[[' }, // one escaped quote inside the string
      { s: 'a\\', brackets: '[[' }, // the string ends in an escaped backslash: its quote closes it
      { s: '\\\\\\"[', brackets: '[' }, // three backslashes and a quote, then a bracket still inside the string
      { s: '\\"'.repeat(50) + '[[[', brackets: '' },
    ];
    for (const { s, brackets } of cases) {
      const text = JSON.stringify({ content: s + brackets, after: [[1]] });
      expect({ text, depth: jsonTextDepth(text, Infinity) }).toEqual({ text, depth: parsedDepth(text) });
    }
  });

  it('counts nesting past an escaped backslash that ends a string', () => {
    const text = '{"a":"x\\\\","b":[[[1]]]}';
    expect(JSON.parse(text).a).toBe('x\\');
    expect(jsonTextDepth(text, Infinity)).toBe(4);
  });

  it('reads UTF-8 text (multi-byte characters, surrogate pairs, \\u escapes) without miscounting', () => {
    const text = JSON.stringify({ 'ключ [': ['日本語 {', { e: '😀]]', u: '\u005b\u007b' }], z: '\\u0022[' });
    expect(jsonTextDepth(text, Infinity)).toBe(parsedDepth(text));
    // Decoded from bytes as the body parser does: the same answer.
    expect(jsonTextDepth(Buffer.from(text, 'utf8').toString('utf8'), Infinity)).toBe(3);
  });

  it('stops at the limit boundary: depth == limit passes, limit + 1 is reported as such', () => {
    const nest = (d: number): string => '['.repeat(d) + ']'.repeat(d);
    expect(jsonTextDepth(nest(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(MAX_JSON_DEPTH);
    expect(jsonTextDepth(nest(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(MAX_JSON_DEPTH + 1);
    const objects = (d: number): string => '{"a":'.repeat(d) + '1' + '}'.repeat(d);
    expect(jsonTextDepth(objects(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(MAX_JSON_DEPTH);
    expect(jsonTextDepth(objects(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(MAX_JSON_DEPTH + 1);
  });

  it('leaves malformed text to JSON.parse without throwing or looping', () => {
    for (const text of ['"never closed [[[', '"\\', ']]]]', '[[[', '{"a":"\\"}']) {
      expect(() => jsonTextDepth(text, MAX_JSON_DEPTH)).not.toThrow();
    }
    expect(jsonTextDepth('"never closed [[[', MAX_JSON_DEPTH)).toBe(0);
  });

  it('answers 10 MB bodies, hostile or legitimate, in milliseconds (JSON.parse alone takes seconds on the first two)', () => {
    const size = 10 * 1024 * 1024;
    // Flat strings, as the body parser receives them (a concatenation would be flattened inside the timed call).
    const flat = (s: string): string => Buffer.from(s).toString('latin1');
    const nested = flat('['.repeat(size / 2) + ']'.repeat(size / 2));
    const objects = flat('{"a":'.repeat(size / 5));
    const legit = flat(JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'say "hi" [x] {y} \\ '.repeat(size / 24) }] }));
    const timed = (text: string): { depth: number; ms: number } => {
      const t = performance.now();
      const depth = jsonTextDepth(text, MAX_JSON_DEPTH);
      return { depth, ms: performance.now() - t };
    };
    const hostile = [timed(nested), timed(objects)];
    for (const h of hostile) expect(h.depth).toBe(MAX_JSON_DEPTH + 1);
    for (const h of hostile) expect(h.ms).toBeLessThan(50);
    const ok = timed(legit);
    expect(ok.depth).toBe(3);
    // A linear pass over ~10 MB; generous for a loaded CI machine (measured about 30 ms here).
    expect(ok.ms).toBeLessThan(500);
  });
});
