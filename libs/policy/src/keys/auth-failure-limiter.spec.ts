import { AuthFailureLimiter } from './auth-failure-limiter';

const MINUTE = 60_000;
const t0 = 1_800_000_000_000 - (1_800_000_000_000 % MINUTE);

describe('AuthFailureLimiter', () => {
  it('limits an address once it has failed maxPerMinute times in the minute, until the minute ends', () => {
    const l = new AuthFailureLimiter(3);
    for (let i = 0; i < 2; i++) l.record('10.0.0.1', t0 + i, false);
    expect(l.limitedFor('10.0.0.1', t0 + 10)).toBe(0);
    l.record('10.0.0.1', t0 + 20, false);
    expect(l.limitedFor('10.0.0.1', t0 + 20_500)).toBe(40);
    expect(l.limitedFor('10.0.0.1', t0 + MINUTE - 1)).toBe(1);
    expect(l.limitedFor('10.0.0.1', t0 + MINUTE)).toBe(0);
  });

  it('keeps addresses apart: another address is never limited by these failures', () => {
    const l = new AuthFailureLimiter(1);
    l.record('10.0.0.1', t0, false);
    expect(l.limitedFor('10.0.0.1', t0)).toBeGreaterThan(0);
    expect(l.limitedFor('10.0.0.2', t0)).toBe(0);
  });

  it('0 turns the limit off but still counts', () => {
    const l = new AuthFailureLimiter(0);
    for (let i = 0; i < 100; i++) l.record('a', t0 + i, false);
    expect(l.limitedFor('a', t0 + 100)).toBe(0);
    expect(l.takeClosed(t0 + MINUTE)).toEqual([expect.objectContaining({ address: 'a', failures: 100, limited: 0 })]);
  });

  it('hands out one window per address per minute with its counts, each exactly once', () => {
    const l = new AuthFailureLimiter(2);
    l.record('a', t0 + 1, false);
    l.record('a', t0 + 2, false);
    l.record('a', t0 + 3, true);
    l.record('b', t0 + 4, false);
    expect(l.takeClosed(t0 + 5)).toEqual([]);
    l.record('a', t0 + MINUTE + 1, false);
    expect(l.takeClosed(t0 + MINUTE + 2)).toEqual([
      { address: 'a', minuteStart: t0, failures: 3, limited: 1, firstAt: t0 + 1, lastAt: t0 + 3 },
      { address: 'b', minuteStart: t0, failures: 1, limited: 0, firstAt: t0 + 4, lastAt: t0 + 4 },
    ]);
    expect(l.takeClosed(t0 + MINUTE + 3)).toEqual([]);
    expect(l.takeClosed(t0 + MINUTE + 3, true)).toEqual([expect.objectContaining({ address: 'a', minuteStart: t0 + MINUTE, failures: 1 })]);
    expect(l.tracked).toBe(0);
  });

  it('stays bounded: past maxAddresses the oldest window is handed out early', () => {
    const l = new AuthFailureLimiter(5, 3);
    for (const a of ['a', 'b', 'c', 'd']) l.record(a, t0, false);
    expect(l.tracked).toBe(3);
    expect(l.takeClosed(t0).map((w) => w.address)).toEqual(['a']);
  });
});
