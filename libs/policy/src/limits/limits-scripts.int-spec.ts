import { createRedis, RespConnection } from '@llmp/infra';
import type { Redis } from 'ioredis';
import { principal, rid } from '../../../../test/limits/limits.fixture';
import { buildAdmissionPlan, scopeKeys, settledKey } from './admission-plan';
import { DEFAULT_LIMITS_OPTIONS } from './limits-options';
import { LimitsScripts } from './limits-scripts';
import type { AdmissionPlan } from './reservation';

const WINDOW = 1000;
const T0 = Date.UTC(2024, 1, 29, 12, 0, 0); // a Thursday in a leap February

describe('limit scripts (real Redis, controlled time)', () => {
  let redis: Redis;
  let conn: RespConnection;
  let scripts: LimitsScripts;

  beforeAll(async () => {
    redis = createRedis(process.env.REDIS_URL!, { keyPrefix: process.env.LLMP_REDIS_PREFIX });
    conn = RespConnection.like(redis, { commandTimeoutMs: 2000 });
    await new Promise((resolve) => conn.once('ready', resolve));
    scripts = new LimitsScripts(conn, { ...DEFAULT_LIMITS_OPTIONS, windowMs: WINDOW, parallelLeaseMs: 5000 });
  });
  afterAll(async () => {
    await conn.quit();
    await redis.quit();
  });

  function plan(...args: Parameters<typeof principal>): AdmissionPlan {
    const p = buildAdmissionPlan(principal(...args), 'gpt-4o');
    if (!p) throw new Error('no plan');
    return p;
  }

  /** Budget counters start missing; install one as the rebuild would. */
  async function primeBudget(p: AdmissionPlan, at: number, spendNano = '0'): Promise<void> {
    const r = await scripts.admit(rid(), p, 0, 0, at);
    if (r.status !== 'rebuild') throw new Error(`expected rebuild, got ${r.status}`);
    await scripts.initBudgets(r.budgets.map((b) => ({ key: scopeKeys(p.scopes[b.scope])[3], periodId: b.periodId, spendNano })));
  }

  it('rpm: a rolling window, exact at its boundary, with retry time of the oldest entry', async () => {
    const p = plan({ rpm: 2 });
    expect((await scripts.admit(rid(), p, 1, 0, T0)).status).toBe('admitted');
    expect((await scripts.admit(rid(), p, 1, 0, T0 + 10)).status).toBe('admitted');
    const denied = await scripts.admit(rid(), p, 1, 0, T0 + 999);
    expect(denied).toMatchObject({ status: 'denied', limit: 'rpm', scope: 0, retryMs: 1 });
    // The entry admitted at T0 leaves the window exactly WINDOW ms later.
    expect((await scripts.admit(rid(), p, 1, 0, T0 + 1000)).status).toBe('admitted');
    expect((await scripts.admit(rid(), p, 1, 0, T0 + 1009)).status).toBe('denied');
    const ok = await scripts.admit(rid(), p, 1, 0, T0 + 1010);
    expect(ok).toMatchObject({ status: 'admitted', stats: [{ requests: 2, tokens: 2 }] });
  });

  it('tpm: reserved tokens count for the window; retry waits until enough tokens leave it', async () => {
    const p = plan({ tpm: 100 });
    await scripts.admit(rid(), p, 40, 0, T0);
    await scripts.admit(rid(), p, 40, 0, T0 + 100);
    const d = await scripts.admit(rid(), p, 30, 0, T0 + 200);
    expect(d).toMatchObject({ status: 'denied', limit: 'tpm', retryMs: 800 });
    expect((await scripts.admit(rid(), p, 20, 0, T0 + 200)).status).toBe('admitted');
    // 40 + 40 + 20 = 100; the first 40 leaves at T0 + 1000 and gives its tokens back.
    expect((await scripts.admit(rid(), p, 40, 0, T0 + 1000))).toMatchObject({ status: 'admitted', stats: [{ tokens: 100 }] });
  });

  it('never fits: a reservation above tpm or budget is a distinct answer, not a denial', async () => {
    expect(await scripts.admit(rid(), plan({ tpm: 100 }), 101, 0, T0)).toMatchObject({ status: 'never_fits', limit: 'tpm' });
    const b = plan({ budgetUsd: 1, budgetPeriod: 'day' });
    expect(await scripts.admit(rid(), b, 1, 1_000_000_001, T0)).toMatchObject({ status: 'never_fits', limit: 'budget' });
  });

  it('all or nothing: a denied scope leaves no reservation in the others', async () => {
    const p = plan({ rpm: 10, tpm: 1000, maxParallel: 5, modelLimits: { '*': { rpm: 10 } } }, { rpm: 1 });
    expect(p.scopes.map((s) => s.kind)).toEqual(['key', 'key_model', 'team']);
    expect((await scripts.admit(rid(), p, 10, 0, T0)).status).toBe('admitted');
    const d = await scripts.admit(rid(), p, 10, 0, T0 + 1);
    expect(d).toMatchObject({ status: 'denied', scope: 2, limit: 'rpm' });
    const [w, tk, par] = scopeKeys(p.scopes[0]);
    expect(await redis.zcard(w)).toBe(1);
    expect(await redis.hget(tk, '#sum')).toBe('10');
    expect(await redis.zcard(par)).toBe(1);
    expect(await redis.zcard(scopeKeys(p.scopes[1])[0])).toBe(1);
  });

  it('settle moves tokens and spend to the actual usage, releases the slot, and only once', async () => {
    const p = plan({ tpm: 100, maxParallel: 1, budgetUsd: 1, budgetPeriod: 'month' });
    await primeBudget(p, T0);
    const id = rid();
    expect((await scripts.admit(id, p, 80, 800_000_000, T0)).status).toBe('admitted');
    expect(await scripts.admit(rid(), p, 10, 0, T0 + 1)).toMatchObject({ status: 'denied', limit: 'parallel' });
    const [, tk, par, bud] = scopeKeys(p.scopes[0]);
    expect(await redis.hget(bud, 's')).toBe('800000000');

    expect(await scripts.settle(id, p, { tokens: 80, costNano: 800_000_000 }, { tokens: 20, costNano: 100_000_000 })).toBe(true);
    expect(await redis.hget(tk, '#sum')).toBe('20');
    expect(await redis.zcard(par)).toBe(0);
    expect(await redis.hget(bud, 's')).toBe('100000000');
    expect(await redis.hexists(bud, `r:${id}`)).toBe(0);

    // One marker per request: it must expire, or Redis holds one key per request served (rate x TTL in memory).
    const markerTtl = await redis.pttl(settledKey(p, id));
    expect(markerTtl).toBeGreaterThan(DEFAULT_LIMITS_OPTIONS.settledTtlMs - 60_000);
    expect(markerTtl).toBeLessThanOrEqual(10 * 60_000);

    expect(await scripts.settle(id, p, { tokens: 80, costNano: 800_000_000 }, { tokens: 20, costNano: 100_000_000 })).toBe(false);
    expect(await redis.hget(tk, '#sum')).toBe('20');
    expect(await redis.hget(bud, 's')).toBe('100000000');
    expect((await scripts.admit(rid(), p, 80, 900_000_000, T0 + 2)).status).toBe('admitted');
  });

  it('a slot of a request that never settles expires (crashed replica)', async () => {
    const p = plan({ maxParallel: 1 });
    expect((await scripts.admit(rid(), p, 1, 0, T0)).status).toBe('admitted');
    expect((await scripts.admit(rid(), p, 1, 0, T0 + 4999)).status).toBe('denied');
    expect((await scripts.admit(rid(), p, 1, 0, T0 + 5000)).status).toBe('admitted');
  });

  it('restore writes a shadow back once (NX), skips entries older than the window; renew extends only slots Redis holds', async () => {
    const p = plan({ rpm: 3, maxParallel: 2 });
    const [w, tk, par] = scopeKeys(p.scopes[0]);
    // The script reads Redis TIME; this test shares the host's clock.
    const now = Date.now();
    const shadow = {
      base: p.scopes[0].base,
      entries: [{ id: 'a', at: now - 10, tokens: 5 }, { id: 'b', at: now - 5, tokens: 7 }, { id: 'old', at: now - 5 * WINDOW, tokens: 9 }],
      inFlight: ['b'],
    };
    expect(await scripts.restore(shadow)).toBe(2);
    // A second write-back (or another replica's of the same request ids) counts nothing twice.
    expect(await scripts.restore(shadow)).toBe(0);
    expect([await redis.zcard(w), await redis.hget(tk, '#sum')]).toEqual([2, '12']);
    const leaseEnd = Number(await redis.zscore(par, 'b'));
    expect(leaseEnd).toBeGreaterThan(now + 4000);
    await new Promise((r) => setTimeout(r, 20));
    expect(await scripts.renew(new Map([[`${p.scopes[0].base}:par`, ['b', 'settled-meanwhile']]]))).toBe(1);
    expect(Number(await redis.zscore(par, 'b'))).toBeGreaterThan(leaseEnd);
    expect(await redis.zscore(par, 'settled-meanwhile')).toBeNull();
    // The restored entries decide like any other: rpm 3 with two in the window leaves one.
    expect((await scripts.admit(rid(), p, 1, 0)).status).toBe('admitted');
    expect(await scripts.admit(rid(), p, 1, 0)).toMatchObject({ status: 'denied', limit: 'rpm' });
  });

  it('budget counters: missing or of another period means rebuild, with calendar periods in UTC', async () => {
    const periods = async (period: 'day' | 'week' | 'month' | 'total', at: number) => {
      const r = await scripts.admit(rid(), plan({ budgetUsd: 5, budgetPeriod: period }), 1, 1, at);
      if (r.status !== 'rebuild') throw new Error(r.status);
      return r.budgets[0];
    };
    const day = Math.floor(T0 / 86_400_000);
    expect(await periods('day', T0)).toEqual({ scope: 0, periodId: `day:${day}`, periodStartMs: Date.UTC(2024, 1, 29) });
    expect(await periods('week', T0)).toEqual({ scope: 0, periodId: `week:${day - 3}`, periodStartMs: Date.UTC(2024, 1, 26) });
    expect(await periods('week', Date.UTC(2024, 1, 26))).toMatchObject({ periodStartMs: Date.UTC(2024, 1, 26) });
    expect(await periods('week', Date.UTC(2024, 1, 25, 23, 59))).toMatchObject({ periodStartMs: Date.UTC(2024, 1, 19) });
    expect(await periods('month', T0)).toEqual({ scope: 0, periodId: 'month:2024-2', periodStartMs: Date.UTC(2024, 1, 1) });
    expect(await periods('month', Date.UTC(2023, 11, 31, 23))).toMatchObject({ periodId: 'month:2023-12', periodStartMs: Date.UTC(2023, 11, 1) });
    expect(await periods('month', Date.UTC(2024, 0, 1))).toMatchObject({ periodId: 'month:2024-1', periodStartMs: Date.UTC(2024, 0, 1) });
    expect(await periods('total', T0)).toEqual({ scope: 0, periodId: 'total', periodStartMs: 0 });

    const p = plan({ budgetUsd: 1, budgetPeriod: 'day' });
    await primeBudget(p, T0, '999999999');
    expect(await scripts.admit(rid(), p, 1, 2, T0)).toMatchObject({ status: 'denied', limit: 'budget', retryMs: 12 * 3_600_000 });
    // The next UTC day is a new period: the counter must be rebuilt before it is trusted.
    expect((await scripts.admit(rid(), p, 1, 2, Date.UTC(2024, 2, 1))).status).toBe('rebuild');
  });

  it('rebuild installs a counter once per period (SET NX semantics)', async () => {
    const p = plan({ budgetUsd: 1, budgetPeriod: 'total' });
    const bud = scopeKeys(p.scopes[0])[3];
    expect(await scripts.initBudgets([{ key: bud, periodId: 'total', spendNano: '5' }])).toBe(1);
    expect(await scripts.initBudgets([{ key: bud, periodId: 'total', spendNano: '7' }])).toBe(0);
    expect(await redis.hget(bud, 's')).toBe('5');
  });

  it('budget under concurrency: 50 concurrent admissions never reserve past the budget', async () => {
    const p = plan({ budgetUsd: 1, budgetPeriod: 'total' });
    await primeBudget(p, T0);
    const results = await Promise.all(Array.from({ length: 50 }, () => scripts.admit(rid(), p, 1, 30_000_000)));
    const admitted = results.filter((r) => r.status === 'admitted').length;
    expect(admitted).toBe(33);
    expect(Number(await redis.hget(scopeKeys(p.scopes[0])[3], 's'))).toBe(33 * 30_000_000);
  });

  /** Counts the admission script calls that reach Redis for a plan while `work` runs (MONITOR sees every command). */
  async function admitCalls(p: AdmissionPlan, work: () => Promise<void>): Promise<number> {
    const windowKey = `${process.env.LLMP_REDIS_PREFIX ?? ''}${scopeKeys(p.scopes[0])[0]}`;
    const monitor = await redis.monitor();
    let calls = 0;
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (/^eval(sha)?$/i.test(args[0]) && args.includes(windowKey)) calls++;
    });
    try {
      await work();
      // MONITOR streams commands asynchronously; a round trip on the monitored server lets the last ones arrive.
      await redis.ping();
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      monitor.disconnect();
    }
    return calls;
  }

  it('the admissions of one turn go to Redis as one call per plan and are answered as if sent one by one', async () => {
    const p = plan({ rpm: 5, tpm: 1000 });
    const other = plan({ rpm: 2 });
    let mine: Awaited<ReturnType<LimitsScripts['admit']>>[] = [];
    let theirs: typeof mine = [];
    const calls = await admitCalls(p, async () => {
      [mine, theirs] = await Promise.all([
        Promise.all(Array.from({ length: 8 }, () => scripts.admit(rid(), p, 10, 0))),
        Promise.all(Array.from({ length: 3 }, () => scripts.admit(rid(), other, 1, 0))),
      ]);
    });
    expect(calls).toBe(1);
    expect(mine.map((r) => r.status)).toEqual(['admitted', 'admitted', 'admitted', 'admitted', 'admitted', 'denied', 'denied', 'denied']);
    // Each request sees the window as the ones before it left it.
    expect(mine.slice(0, 5).map((r) => r.status === 'admitted' && r.stats[0])).toEqual(
      [1, 2, 3, 4, 5].map((n) => expect.objectContaining({ requests: n, tokens: 10 * n })),
    );
    expect(mine[5]).toMatchObject({ status: 'denied', limit: 'rpm', stats: [{ requests: 5, tokens: 50 }] });
    expect(theirs.map((r) => r.status)).toEqual(['admitted', 'admitted', 'denied']);
    expect(await redis.zcard(scopeKeys(p.scopes[0])[0])).toBe(5);
  });

  it('a large turn is split into calls of at most 16 requests, still exact', async () => {
    const p = plan({ rpm: 100 });
    let results: Awaited<ReturnType<LimitsScripts['admit']>>[] = [];
    const calls = await admitCalls(p, async () => {
      results = await Promise.all(Array.from({ length: 130 }, () => scripts.admit(rid(), p, 1, 0)));
    });
    expect(calls).toBe(9);
    expect(results.findIndex((r) => r.status !== 'admitted')).toBe(100);
    expect(results.slice(100).every((r) => r.status === 'denied')).toBe(true);
  });

  it('a batch with a budget counter to rebuild reserves nothing; requests that can never fit are answered anyway', async () => {
    const p = plan({ budgetUsd: 1, budgetPeriod: 'total', rpm: 10 });
    const [fits, tooBig] = await Promise.all([scripts.admit(rid(), p, 1, 1), scripts.admit(rid(), p, 1, 2_000_000_000)]);
    expect(fits.status).toBe('rebuild');
    expect(tooBig.status).toBe('rebuild');
    expect(await redis.zcard(scopeKeys(p.scopes[0])[0])).toBe(0);
    // Alone, the one that can never fit is told so without a rebuild.
    expect(await scripts.admit(rid(), p, 1, 2_000_000_000)).toMatchObject({ status: 'never_fits', limit: 'budget' });
  });
});
