import { ErrorCode, LlmpError, type Principal } from '@llmp/common';
import { createRedis, InfraModule, loadEnv, PrismaService } from '@llmp/infra';
import { Test, type TestingModule } from '@nestjs/testing';
import type { Redis } from 'ioredis';
import { caught, principal, request as admissionRequest, rid } from '../../../../test/limits/limits.fixture';
import { AdmissionService } from './admission.service';
import { LimitsModule } from './limits.module';
import type { Admission, AdmissionRequest } from './reservation';

/** This spec's admission request: 90 output tokens and nothing reserved in cost unless `over` says. */
function request(p: Principal, over: Partial<AdmissionRequest> = {}): AdmissionRequest {
  return admissionRequest(p, { outputTokensReserved: 90, reservedCostUsd: 0, ...over });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('AdmissionService (real Redis and Postgres, three replicas)', () => {
  const modules: TestingModule[] = [];
  let replicas: AdmissionService[];
  let prisma: PrismaService;
  let raw: Redis;

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) {
      // init() runs onModuleInit, where each replica waits for its limits connection as the apps do at startup; a
      // replica still connecting would serve from its local fallback limiter, which is not exact across replicas.
      modules.push(await (await Test.createTestingModule({ imports: [InfraModule, LimitsModule] }).compile()).init());
    }
    replicas = modules.map((m) => m.get(AdmissionService));
    prisma = modules[0].get(PrismaService);
    raw = createRedis(process.env.REDIS_URL!);
  });
  afterAll(async () => {
    for (const m of modules) await m.close();
    await raw.quit();
  });

  it('anonymous callers and keys without limits skip Redis', async () => {
    const a = await replicas[0].admit(request({ kind: 'anonymous' }));
    expect(a).toMatchObject({ headers: {}, reservation: { mode: 'none' } });
    const b = await replicas[0].admit(request(principal()));
    expect(b.reservation.mode).toBe('none');
    await replicas[0].settle(b, { totalTokens: 5, costUsd: 0 });
  });

  it('headers of the tightest scope, 429 naming limit and scope, counters under the prefix and one hash tag', async () => {
    const p = principal({ rpm: 5, tpm: 1000 }, { rpm: 2 });
    const first = await replicas[0].admit(request(p));
    expect(first.headers).toEqual({
      'x-ratelimit-limit-requests': '2', 'x-ratelimit-remaining-requests': '1', 'x-ratelimit-reset-requests': '1m0s',
      'x-ratelimit-limit-tokens': '1000', 'x-ratelimit-remaining-tokens': '900', 'x-ratelimit-reset-tokens': '1m0s',
    });
    await replicas[1].admit(request(p));
    const e = await caught(replicas[2].admit(request(p)));
    expect(e.code).toBe(ErrorCode.RateLimitExceeded);
    expect(e.status).toBe(429);
    expect(e.message).toContain('team');
    expect(e.message).toContain('2 requests per minute');
    expect(e.details.data).toEqual({ scope: 'team', limit: 'rpm' });
    expect(e.details.retryAfterSeconds).toBeGreaterThanOrEqual(59);
    expect(e.details.headers?.['x-ratelimit-remaining-requests']).toBe('0');

    const teamId = p.kind === 'key' ? p.snapshot.teamId : '';
    const keys = await raw.keys(`${process.env.LLMP_REDIS_PREFIX}lim:{t:${teamId}}:*`);
    expect(keys.length).toBeGreaterThanOrEqual(4);
  });

  it('a reservation above a limit is a 400 request_exceeds_limit, before any Redis call', async () => {
    const e = await caught(replicas[0].admit(request(principal({ tpm: 50 }))));
    expect(e.code).toBe(ErrorCode.RequestNeverFits);
    expect(e.status).toBe(400);
    expect(e.details.data).toMatchObject({ scope: 'key', limit: 'tpm', reservedTokens: 100 });
    const b = await caught(replicas[0].admit(request(principal({ budgetUsd: 0.01, budgetPeriod: 'day' }), { reservedCostUsd: 0.02 })));
    expect(b.code).toBe(ErrorCode.RequestNeverFits);
  });

  it('budget counters are rebuilt from the usage ledger for the current period (key and team)', async () => {
    const p = principal({ budgetUsd: 10, budgetPeriod: 'month' }, { budgetUsd: 100, budgetPeriod: 'total' });
    if (p.kind !== 'key') throw new Error();
    const { keyId, teamId } = p.snapshot;
    const row = (cost: string, createdAt: Date) => ({
      requestId: rid(), keyId, teamId, requestedModel: 'gpt-4o', resolvedModel: 'gpt-4o', endpoint: 'chat', status: 200,
      costUsd: cost, createdAt,
    });
    const now = new Date();
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) - 86_400_000);
    await prisma.usageRecord.createMany({ data: [row('9.5', now), row('0.25', now), row('50', lastMonth), row('30', lastMonth)] });

    // Key: 9.75 spent this month + 0.5 > 10.
    const e = await caught(replicas[0].admit(request(p, { reservedCostUsd: 0.5 })));
    expect(e.code).toBe(ErrorCode.BudgetExceeded);
    expect(e.details.data).toMatchObject({ scope: 'key', limit: 'budget' });
    const a = await replicas[1].admit(request(p, { reservedCostUsd: 0.2 }));
    await replicas[1].settle(a, { totalTokens: 50, costUsd: 0.1 });
    // Team (total): 89.75 + 0.1 settled; 10.2 more does not fit.
    const keyless = principal({}, { budgetUsd: 100, budgetPeriod: 'total' }, { teamId: teamId! });
    const t = await caught(replicas[2].admit(request(keyless, { reservedCostUsd: 10.2 })));
    expect(t.details.data).toMatchObject({ scope: 'team', limit: 'budget' });
    await replicas[2].admit(request(keyless, { reservedCostUsd: 10.1 }));
  });

  it('settle is idempotent, never throws, and releases the slot', async () => {
    const p = principal({ maxParallel: 1, tpm: 1000 });
    const a = await replicas[0].admit(request(p));
    const e = await caught(replicas[1].admit(request(p)));
    expect(e.details.data).toEqual({ scope: 'key', limit: 'parallel' });
    await replicas[2].settle(a, { totalTokens: 10, costUsd: 0 });
    await replicas[2].settle(a, { totalTokens: 10, costUsd: 0 });
    await replicas[0].settle({ ...a, reservation: { ...a.reservation, plan: { tag: '{bogus', scopes: [] } } } as Admission, { totalTokens: Number.NaN, costUsd: Number.NaN });
    const b = await replicas[1].admit(request(p));
    expect(b.headers['x-ratelimit-remaining-tokens']).toBe(String(1000 - 10 - 100));
  });

  it('three replicas hammering one key: admitted <= rpm exactly', async () => {
    const p = principal({ rpm: 40 });
    const all = await Promise.allSettled(Array.from({ length: 150 }, (_, i) => replicas[i % 3].admit(request(p))));
    expect(all.filter((r) => r.status === 'fulfilled')).toHaveLength(40);
    for (const r of all) if (r.status === 'rejected') expect((r.reason as LlmpError).code).toBe(ErrorCode.RateLimitExceeded);
    // Every decision came from Redis: no replica fell back to its local limiter.
    expect(replicas.map((r) => r.fallbackStats().incidents)).toEqual([0, 0, 0]);
  });

  it('three replicas with overlapping requests: in flight <= maxParallel, tokens <= tpm, spend <= budget', async () => {
    const p = principal({ maxParallel: 6, tpm: 20_000 }, { budgetUsd: 0.3, budgetPeriod: 'day', maxParallel: 10 });
    let inFlight = 0;
    let maxInFlight = 0;
    let tokens = 0;
    let spent = 0;
    let admitted = 0;
    const worker = async (replica: AdmissionService) => {
      for (let i = 0; i < 25; i++) {
        let a: Admission;
        try {
          a = await replica.admit(request(p, { promptTokensEstimate: 100, outputTokensReserved: 300, reservedCostUsd: 0.01 }));
        } catch (e) {
          expect([ErrorCode.RateLimitExceeded, ErrorCode.BudgetExceeded]).toContain((e as LlmpError).code);
          await sleep(2);
          continue;
        }
        admitted++;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(5 + Math.random() * 10);
        inFlight--;
        tokens += 400;
        spent += 0.008;
        await replica.settle(a, { totalTokens: 400, costUsd: 0.008 });
      }
    };
    await Promise.all(Array.from({ length: 12 }, (_, i) => worker(replicas[i % 3])));
    expect(admitted).toBeGreaterThan(10);
    expect(maxInFlight).toBeLessThanOrEqual(6);
    expect(tokens).toBeLessThanOrEqual(20_000);
    expect(spent).toBeLessThanOrEqual(0.3 + 1e-9);
    // The budget binds before tpm: 0.3 / 0.008 = 37 settled requests at most.
    expect(admitted).toBe(37);
  });
});
