import { jsonDepth, MAX_JSON_DEPTH } from './json-depth';

describe('jsonDepth', () => {
  it('counts objects and arrays, not scalars', () => {
    expect(jsonDepth('x')).toBe(0);
    expect(jsonDepth(null)).toBe(0);
    expect(jsonDepth({})).toBe(1);
    expect(jsonDepth({ a: [1, { b: 'c' }] })).toBe(3);
  });

  it('walks 100,000 levels without recursion and stops soon after the limit', () => {
    const text = '['.repeat(100_000) + ']'.repeat(100_000);
    const value: unknown = JSON.parse(text);
    expect(jsonDepth(value, Infinity)).toBe(100_000);
    expect(jsonDepth(value)).toBe(MAX_JSON_DEPTH + 1);
  });
});
