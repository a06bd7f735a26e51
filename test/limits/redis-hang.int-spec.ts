import { ErrorCode, LlmpError } from '@llmp/common';
import { createRedis, loadEnv, PrismaService } from '@llmp/infra';
import { AdmissionService } from '@llmp/policy';
import type { Redis } from 'ioredis';
import { UsageSpendRepository } from '../../libs/policy/src/limits/usage-spend.repository';
import type { LimitsOptions } from '../../libs/policy/src/limits/limits-options';
import { freePort, PrivateRedis, sleep, waitFor } from '../production/production.fixture';
import { caught, gatewayConfig, principal, request } from './limits.fixture';

const TIMEOUT_MS = 200;

/** Milliseconds `work` took. */
async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = Date.now();
  const value = await work();
  return { ms: Date.now() - t0, value };
}

/**
 * Admission against a redis-server of this test that is paused (SIGSTOP: sockets open, no answers), restarted or
 * left without renewals: nothing waits past the timeout, the local limits carry the window over in both directions,
 * and a parallel slot lives exactly as long as its request.
 */
describe('limits when Redis hangs (dedicated redis-server, SIGSTOP)', () => {
  const server = new PrivateRedis(0);
  let prisma: PrismaService;
  const clients: Redis[] = [];
  const services: AdmissionService[] = [];

  function service(over: Partial<LimitsOptions> = {}): AdmissionService {
    const client = createRedis(server.url, { keyPrefix: `llmp_hang_${process.pid}:` });
    clients.push(client);
    const s = new AdmissionService(client, gatewayConfig('local'), new UsageSpendRepository(prisma), { commandTimeoutMs: TIMEOUT_MS, ...over });
    services.push(s);
    return s;
  }

  async function ready(s: AdmissionService): Promise<void> {
    await waitFor('admission through Redis', async () => (await s.admit(request(principal({ rpm: 1000 })))).reservation.mode === 'redis');
  }

  /** Two replicas with parallel leases of `lease` ms, both admitting through Redis. */
  async function readyPair(lease: number): Promise<[AdmissionService, AdmissionService]> {
    const a = service({ parallelLeaseMs: lease });
    const b = service({ parallelLeaseMs: lease });
    await ready(a);
    await ready(b);
    return [a, b];
  }

  beforeAll(async () => {
    (server as { port: number }).port = await freePort();
    await server.start();
    prisma = new PrismaService(loadEnv());
  });
  afterEach(() => server.resume());
  afterAll(async () => {
    server.resume();
    for (const s of services) await s.onModuleDestroy().catch(() => undefined);
    for (const c of clients) c.disconnect();
    await prisma.$disconnect();
    await server.stop();
  });

  it('paused: unlimited keys never touch Redis, the first limited request waits one timeout, the rest none; one incident; recovery by itself', async () => {
    const s = service();
    await ready(s);
    const incidents = s.fallbackStats().incidents;
    const limited = principal({ rpm: 100 });
    const budgeted = principal({ budgetUsd: 5, budgetPeriod: 'day' });
    const unlimited = principal();

    server.pause();
    const first = await timed(() => s.admit(request(limited)));
    expect(first.value.reservation.mode).toBe('local');
    expect(first.ms).toBeLessThan(TIMEOUT_MS + 300);
    expect(s.fallbackStats()).toMatchObject({ redisDown: true, incidents: incidents + 1 });

    const during: number[] = [];
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      const a = await timed(() => s.admit(request(limited)));
      expect(a.value.reservation.mode).toBe('local');
      const u = await timed(() => s.admit(request(unlimited)));
      expect(u.value.reservation.mode).toBe('none');
      const b = await timed(() => caught(s.admit(request(budgeted))));
      expect([b.value.code, b.value.status]).toEqual([ErrorCode.LimitsUnavailable, 503]);
      during.push(a.ms, u.ms, b.ms);
      await sleep(100);
    }
    // Once the stall is known nothing waits on Redis any more.
    expect(Math.max(...during)).toBeLessThan(50);
    expect(s.fallbackStats().incidents).toBe(incidents + 1);

    server.resume();
    await ready(s);
    expect(s.fallbackStats()).toMatchObject({ redisDown: false, incidents: incidents + 1 });
  }, 30_000);

  it.each([
    ['paused and resumed', (): Promise<void> => Promise.resolve(server.pause())],
    ['restarted without persistence', (): Promise<void> => server.stop()],
  ])('rpm 10 across Redis %s: 10 admitted before, none during, none after (the shadow seeds and is written back)', async (_what, breakRedis) => {
    const s = service();
    await ready(s);
    const p = principal({ rpm: 10 });
    for (let i = 0; i < 10; i++) expect((await s.admit(request(p))).reservation.mode).toBe('redis');
    expect((await caught(s.admit(request(p)))).code).toBe(ErrorCode.RateLimitExceeded);

    await breakRedis();
    for (let i = 0; i < 10; i++) {
      const e = await caught(s.admit(request(p)));
      expect(e.code).toBe(ErrorCode.RateLimitExceeded);
    }
    expect(s.fallbackStats().redisDown).toBe(true);

    server.resume();
    if (_what.startsWith('restarted')) await server.start();
    await ready(s);
    for (let i = 0; i < 10; i++) expect((await caught(s.admit(request(p)))).code).toBe(ErrorCode.RateLimitExceeded);
    expect(s.fallbackStats().redisDown).toBe(false);
  }, 30_000);

  it('what was admitted locally during the outage counts in Redis after it', async () => {
    const s = service();
    await ready(s);
    const p = principal({ rpm: 10 });
    for (let i = 0; i < 4; i++) await s.admit(request(p));
    server.pause();
    const local = [];
    for (let i = 0; i < 10; i++) local.push(await s.admit(request(p)).catch((e: unknown) => e));
    expect(local.filter((a) => !(a instanceof LlmpError)).length).toBe(6);
    server.resume();
    await ready(s);
    expect((await caught(s.admit(request(p)))).code).toBe(ErrorCode.RateLimitExceeded);
  }, 30_000);

  it('maxParallel: a request keeps its slot past the lease while it runs; a dead replica frees its slot after the lease', async () => {
    const lease = 1500;
    const [a, b] = await readyPair(lease);
    const p = principal({ maxParallel: 1 });
    const long = await a.admit(request(p));
    expect(long.reservation.mode).toBe('redis');
    await sleep(3 * lease);
    // Renewed by replica a: still held, on both replicas' view (Redis).
    expect((await caught(b.admit(request(p)))).details.data).toMatchObject({ limit: 'parallel' });
    await a.settle(long, { totalTokens: 5, costUsd: 0 });
    const next = await b.admit(request(p));
    expect(next.reservation.mode).toBe('redis');

    // Replica b dies while its request runs: nobody renews, the slot frees within one lease.
    await b.onModuleDestroy();
    expect((await caught(a.admit(request(p)))).details.data).toMatchObject({ limit: 'parallel' });
    await sleep(lease + 200);
    expect((await a.admit(request(p))).reservation.mode).toBe('redis');
  }, 30_000);

  it('a slot taken locally during a hang is written back when Redis returns, renewed, and released at the end', async () => {
    const lease = 1500;
    const [a, b] = await readyPair(lease);
    const p = principal({ maxParallel: 1 });
    server.pause();
    const held = await a.admit(request(p));
    expect(held.reservation.mode).toBe('local');
    server.resume();
    await ready(a);
    await sleep(3 * lease);
    // Replica b never saw the request: it learns of the slot from Redis, where a wrote it back and renews it.
    expect((await caught(b.admit(request(p)))).details.data).toMatchObject({ limit: 'parallel' });
    await a.settle(held, { totalTokens: 5, costUsd: 0 });
    await waitFor('the slot released in Redis', async () => (await b.admit(request(p))).reservation.mode === 'redis', 2000);
  }, 30_000);
});
