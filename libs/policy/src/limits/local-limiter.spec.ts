import { buildAdmissionPlan } from './admission-plan';
import { LocalLimiter, SHADOW_MAX_ENTRIES } from './local-limiter';
import { formatReset } from './rate-limit-headers';
import { principal } from '../../../../test/limits/limits.fixture';
import type { AdmissionPlan } from './reservation';

function plan(...args: Parameters<typeof principal>): AdmissionPlan {
  const p = buildAdmissionPlan(principal(...args), 'gpt-4o');
  if (!p) throw new Error('no plan');
  return p;
}

describe('LocalLimiter', () => {
  let now = 0;
  const limiter = () => new LocalLimiter(1000, 5000, 60_000, () => now);

  it('rpm over a rolling window, exact at the boundary', () => {
    const l = limiter();
    const p = plan({ rpm: 2 });
    now = 0;
    expect(l.admit('a', p, 1).ok).toBe(true);
    now = 10;
    expect(l.admit('b', p, 1).ok).toBe(true);
    now = 999;
    expect(l.admit('c', p, 1)).toMatchObject({ ok: false, limit: 'rpm', retryMs: 1 });
    now = 1000;
    expect(l.admit('d', p, 1).ok).toBe(true);
  });

  it('tpm with settle adjusting the reservation, idempotently', () => {
    const l = limiter();
    const p = plan({ tpm: 100 });
    now = 0;
    expect(l.admit('a', p, 80).ok).toBe(true);
    expect(l.admit('b', p, 30)).toMatchObject({ ok: false, limit: 'tpm', retryMs: 1000 });
    expect(l.settle('a', p, 20)).toBe(true);
    expect(l.settle('a', p, 0)).toBe(false);
    expect(l.admit('b', p, 80)).toMatchObject({ ok: true, stats: [{ tokens: 100, requests: 2 }] });
  });

  it('all or nothing across scopes, parallel slots released by settle or expiry', () => {
    const l = limiter();
    const p = plan({ maxParallel: 1, rpm: 10 }, { rpm: 10 });
    now = 0;
    expect(l.admit('a', p, 1).ok).toBe(true);
    expect(l.admit('b', p, 1)).toMatchObject({ ok: false, limit: 'parallel', scope: 0 });
    expect(l.admit('c', p, 1)).toMatchObject({ ok: false, stats: [{ requests: 1 }, { requests: 1 }] });
    l.settle('a', p, 1);
    expect(l.admit('b', p, 1).ok).toBe(true);
    now = 5000;
    expect(l.admit('e', p, 1).ok).toBe(true);
  });
});

describe('LocalLimiter as the shadow of Redis', () => {
  let now = 0;
  const limiter = () => new LocalLimiter(1000, 5000, 60_000, () => now);

  it('admissions recorded from Redis count against the local limits that follow', () => {
    const l = limiter();
    const p = plan({ rpm: 3, maxParallel: 2 });
    now = 0;
    l.record('a', p, 5);
    l.record('b', p, 5);
    expect(l.admit('c', p, 5)).toMatchObject({ ok: false, limit: 'parallel' });
    l.release('a', p);
    expect(l.admit('c', p, 5).ok).toBe(true);
    expect(l.admit('d', p, 5)).toMatchObject({ ok: false, limit: 'rpm', retryMs: 1000 });
    now = 1000;
    l.release('b', p);
    expect(l.admit('d', p, 5).ok).toBe(true);
  });

  it('keeps at most SHADOW_MAX_ENTRIES of a busy scope, the newest, with their tokens', () => {
    const l = limiter();
    const p = plan({ rpm: 1_000_000, tpm: 2_000_000_000 });
    now = 0;
    for (let i = 0; i < SHADOW_MAX_ENTRIES + 500; i++) l.record(`r${i}`, p, 2);
    const [scope] = l.shadow();
    expect(scope.entries.length).toBe(SHADOW_MAX_ENTRIES);
    expect(scope.entries[0].id).toBe('r500');
    expect(scope.entries.reduce((n, e) => n + e.tokens, 0)).toBe(2 * SHADOW_MAX_ENTRIES);
  });

  it('keeps only the entries that can still decide, and lists the window and the slots for the write-back', () => {
    const l = limiter();
    const p = plan({ rpm: 2, maxParallel: 5 });
    now = 0;
    for (const id of ['a', 'b', 'c', 'd']) l.record(id, p, 1);
    now = 10;
    l.release('a', p);
    expect(l.shadow()).toEqual([{ base: p.scopes[0].base, entries: [{ id: 'c', at: 0, tokens: 1 }, { id: 'd', at: 0, tokens: 1 }], inFlight: ['b', 'c', 'd'] }]);
    const t = plan({ tpm: 10 });
    for (const id of ['e', 'f', 'g']) l.record(id, t, 6);
    // e's tokens leave nothing to decide: f and g alone exceed 10.
    expect(l.shadow().find((s) => s.base === t.scopes[0].base)?.entries.map((e) => e.id)).toEqual(['f', 'g']);
    now = 2000;
    for (const id of ['b', 'c', 'd']) l.release(id, p);
    l.sweep();
    expect(l.size).toBe(0);
    expect(l.shadow()).toEqual([]);
  });

  it('records nothing for a scope without rpm, tpm or maxParallel', () => {
    const l = limiter();
    l.record('a', plan({ budgetUsd: 1 }), 5);
    expect(l.size).toBe(0);
  });
});

describe('formatReset', () => {
  it('writes OpenAI durations', () => {
    expect(formatReset(17)).toBe('17ms');
    expect(formatReset(1500)).toBe('1.5s');
    expect(formatReset(60_000)).toBe('1m0s');
    expect(formatReset(-5)).toBe('0ms');
  });
});
