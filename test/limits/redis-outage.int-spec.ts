import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { ErrorCode, type RedisDownMode } from '@llmp/common';
import { createRedis, loadEnv, PrismaService } from '@llmp/infra';
import { AdmissionService } from '@llmp/policy';
import type { Redis } from 'ioredis';
import { UsageSpendRepository } from '../../libs/policy/src/limits/usage-spend.repository';
import { caught, gatewayConfig, principal, request } from './limits.fixture';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** A Redis of this test only (never the machine's shared one), without persistence so a restart loses everything. */
class DedicatedRedis {
  private proc: ChildProcess | null = null;
  constructor(readonly port: number) {}

  async start(): Promise<void> {
    this.proc = spawn('/usr/bin/redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const probe = createRedis(`redis://127.0.0.1:${this.port}`, { lazyConnect: true, retryStrategy: () => null });
    for (let i = 0; i < 100; i++) {
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        await sleep(50);
      }
    }
    throw new Error(`redis-server on port ${this.port} did not start`);
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
    this.proc = null;
  }
}

describe('limits when Redis goes away and comes back (dedicated redis-server)', () => {
  let server: DedicatedRedis;
  let prisma: PrismaService;
  const clients: Redis[] = [];
  const services: AdmissionService[] = [];

  function service(mode: RedisDownMode): AdmissionService {
    const client = createRedis(`redis://127.0.0.1:${server.port}`, { keyPrefix: 'llmp_outage:' });
    clients.push(client);
    const s = new AdmissionService(client, gatewayConfig(mode), new UsageSpendRepository(prisma), { commandTimeoutMs: 200 });
    services.push(s);
    return s;
  }

  async function ready(s: AdmissionService): Promise<void> {
    for (let i = 0; i < 100; i++) {
      // A limited request tells whether the service uses Redis again.
      const a = await s.admit(request(principal({ rpm: 1000 })));
      if (a.reservation.mode === 'redis') return;
      await sleep(100);
    }
    throw new Error('service did not return to Redis');
  }

  beforeAll(async () => {
    server = new DedicatedRedis(await freePort());
    await server.start();
    prisma = new PrismaService(loadEnv());
  });
  afterAll(async () => {
    for (const s of services) await s.onModuleDestroy();
    for (const c of clients) c.disconnect();
    await prisma.$disconnect();
    await server.stop();
  });

  it('local, open and closed modes; budgets fail closed; one incident logged; recovery by itself', async () => {
    const local = service('local');
    const open = service('open');
    const closed = service('closed');
    for (const s of [local, open, closed]) await ready(s);
    // A fresh service may fall back while its connection is still opening; count from here.
    const before = [local, open, closed].map((s) => s.fallbackStats());
    const delta = (i: number, s: AdmissionService) => {
      const now = s.fallbackStats();
      return {
        incidents: now.incidents - before[i].incidents, redisDown: now.redisDown, local: now.local - before[i].local,
        open: now.open - before[i].open, closed: now.closed - before[i].closed,
        budgetRefused: now.budgetRefused - before[i].budgetRefused, settleFailures: now.settleFailures - before[i].settleFailures,
      };
    };

    const limited = principal({ rpm: 3 });
    const budgeted = principal({ budgetUsd: 5, budgetPeriod: 'day' });
    const inRedis = await local.admit(request(limited));
    expect(inRedis.reservation.mode).toBe('redis');

    await server.stop();
    const started = Date.now();
    // Local: the same window semantics per replica, starting from what this replica admitted through Redis (the shadow).
    const admitted = [];
    for (let i = 0; i < 2; i++) admitted.push(await local.admit(request(limited)));
    expect(admitted.map((a) => a.reservation.mode)).toEqual(['local', 'local']);
    expect(admitted[1].headers['x-ratelimit-remaining-requests']).toBe('0');
    const denied = await caught(local.admit(request(limited)));
    expect(denied.code).toBe(ErrorCode.RateLimitExceeded);
    await local.settle(admitted[0], { totalTokens: 5, costUsd: 0 });
    await local.settle(inRedis, { totalTokens: 5, costUsd: 0 });

    const budget = await caught(local.admit(request(budgeted)));
    expect(budget.code).toBe(ErrorCode.LimitsUnavailable);
    expect(budget.status).toBe(503);
    expect(budget.message).toMatch(/budget .* cannot be checked .*Redis/);

    expect((await open.admit(request(limited))).reservation.mode).toBe('none');
    expect((await caught(open.admit(request(budgeted)))).code).toBe(ErrorCode.LimitsUnavailable);
    const c = await caught(closed.admit(request(limited)));
    expect(c.code).toBe(ErrorCode.LimitsUnavailable);
    expect(c.message).toContain('onRedisDown: closed');
    // Admission stays fast while Redis is down: no reconnect queue, no waiting.
    expect(Date.now() - started).toBeLessThan(1000);

    for (let i = 0; i < 20; i++) await caught(closed.admit(request(limited)));
    expect(delta(0, local)).toMatchObject({ incidents: 1, redisDown: true, local: 3, budgetRefused: 1, settleFailures: 1 });
    expect(delta(1, open)).toMatchObject({ incidents: 1, open: 1, budgetRefused: 1 });
    expect(delta(2, closed)).toMatchObject({ incidents: 1, closed: 21 });

    await server.start();
    for (const s of [local, open, closed]) await ready(s);
    expect(delta(0, local)).toMatchObject({ incidents: 1, redisDown: false });
    // The outage's local admissions were written back before Redis decided again: rpm 3 is used up in Redis too.
    const localBefore = local.fallbackStats().local;
    expect((await caught(local.admit(request(limited)))).code).toBe(ErrorCode.RateLimitExceeded);
    expect(local.fallbackStats().local).toBe(localBefore);
    // The admission made in Redis before the outage was settled later, from the replayed queue.
    const again = await local.admit(request(principal({ rpm: 3 })));
    expect(again.reservation.mode).toBe('redis');
  });

  it('after a restart without persistence, a budget counter is rebuilt from the usage ledger before it is trusted', async () => {
    const s = service('local');
    await ready(s);
    const p = principal({ budgetUsd: 1, budgetPeriod: 'week' });
    if (p.kind !== 'key') throw new Error();
    const a = await s.admit(request(p, { reservedCostUsd: 0.5 }));
    await s.settle(a, { totalTokens: 20, costUsd: 0.45 });
    // The ledger worker writes the same cost to Postgres.
    await prisma.usageRecord.create({
      data: { requestId: a.requestId, keyId: p.snapshot.keyId, requestedModel: 'gpt-4o', endpoint: 'chat', status: 200, costUsd: '0.45' },
    });

    await server.stop();
    await server.start();
    await ready(s);
    // Redis lost the counter; without the rebuild 0.6 would fit in a budget of 1.
    const e = await caught(s.admit(request(p, { reservedCostUsd: 0.6 })));
    expect(e.code).toBe(ErrorCode.BudgetExceeded);
    await s.admit(request(p, { reservedCostUsd: 0.55 }));
  });
});
