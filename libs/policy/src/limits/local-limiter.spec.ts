import { buildAdmissionPlan } from './admission-plan';
import { LocalLimiter } from './local-limiter';
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

describe('formatReset', () => {
  it('writes OpenAI durations', () => {
    expect(formatReset(17)).toBe('17ms');
    expect(formatReset(1500)).toBe('1.5s');
    expect(formatReset(60_000)).toBe('1m0s');
    expect(formatReset(-5)).toBe('0ms');
  });
});
