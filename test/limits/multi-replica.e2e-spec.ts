import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { InfraModule } from '@llmp/infra';
import { call, master, startAdminApp } from '../../apps/admin/test/admin-app.fixture';
import { WorkersModule } from '../../apps/admin/src/workers/workers.module';
import { chatCompletion, FakeUpstream, sleep } from '../support/fake-upstream';
import { useConfig } from '../support/gateway-harness';
import { spawnDataPlane, type Replica } from '../support/processes';

@Module({ imports: [InfraModule, WorkersModule.forRoot({ batchWaitMs: 20 })] })
class LedgerWorkerModule {}

/**
 * Limits across replicas: three data plane processes share one Redis and Postgres; bursts of concurrent requests
 * are spread over them with upstream latency so requests overlap. Admitted counts must match the limits exactly.
 */
describe('rate limits and budgets across three replicas', () => {
  const upstream = new FakeUpstream();
  let admin: NestFastifyApplication;
  let worker: INestApplicationContext;
  let replicas: Replica[] = [];

  async function keyFor(body: Record<string, unknown>): Promise<{ id: string; key: string }> {
    const res = await call(admin, 'POST', '/admin/v1/keys', { headers: master, body: { name: 'limits', ...body } });
    expect(res.status).toBe(201);
    return res.body as { id: string; key: string };
  }

  function send(i: number, key: string, model: string): Promise<Response> {
    return fetch(`${replicas[i % replicas.length].url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'count to three' }] }),
    });
  }

  async function burst(n: number, key: string, model: string): Promise<Response[]> {
    return Promise.all(Array.from({ length: n }, (_, i) => send(i, key, model)));
  }

  async function ledgerSpend(keyId: string, expectedRows: number): Promise<{ rows: number; cost: number }> {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      for (let i = 0; i < 100; i++) {
        const r = await client.query<{ rows: string; cost: string | null }>(
          'SELECT count(*)::text AS rows, sum("costUsd")::text AS cost FROM "UsageRecord" WHERE "keyId" = $1 AND status = 200',
          [keyId],
        );
        if (Number(r.rows[0].rows) >= expectedRows) return { rows: Number(r.rows[0].rows), cost: Number(r.rows[0].cost ?? 0) };
        await sleep(100);
      }
      throw new Error('ledger rows did not arrive');
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    const base = await upstream.start();
    upstream.behavior = (req) => ({ delayMs: 300, json: chatCompletion(req, 'one two three') });
    useConfig(`
providers:
  - { name: up, type: openai, baseUrl: "${base}" }
models:
  - { name: m-rpm, targets: [{ provider: up, model: rpm }] }
  - { name: m-par, targets: [{ provider: up, model: par }] }
  - { name: m-tpm, targets: [{ provider: up, model: tpm }] }
  - { name: m-bud, targets: [{ provider: up, model: bud }], pricing: { input: 1000, output: 1000 } }
`);
    admin = await startAdminApp();
    worker = await NestFactory.createApplicationContext(LedgerWorkerModule, { logger: ['error'] });
    const env = {
      DATABASE_URL: process.env.DATABASE_URL!,
      REDIS_URL: process.env.REDIS_URL!,
      LLMP_REDIS_PREFIX: process.env.LLMP_REDIS_PREFIX!,
      LLMP_CONFIG: process.env.LLMP_CONFIG!,
    };
    replicas = await Promise.all([spawnDataPlane(env), spawnDataPlane(env), spawnDataPlane(env)]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await worker?.close();
    await admin?.close();
    await upstream.close();
  });

  it('admits exactly rpm requests per rolling minute, whichever replica they hit', async () => {
    const { key } = await keyFor({ rpm: 10 });
    const results = await burst(30, key, 'm-rpm');
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(10);
    expect(limited).toHaveLength(20);
    const denial = (await limited[0].json()) as { error: { code: string; message: string } };
    expect(denial.error.code).toBe('rate_limit_exceeded');
    expect(denial.error.message).toMatch(/rpm|requests per minute/i);
    expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThan(0);
    expect(ok[0].headers.get('x-ratelimit-limit-requests')).toBe('10');
    expect(ok[0].headers.get('x-ratelimit-remaining-requests')).toEqual(expect.any(String));
    expect(ok[0].headers.get('x-ratelimit-reset-requests')).toEqual(expect.any(String));
  });

  it('never has more than maxParallel requests in flight', async () => {
    const { key } = await keyFor({ maxParallel: 3 });
    const results = await burst(15, key, 'm-par');
    expect(results.filter((r) => r.status === 200)).toHaveLength(3);
    expect(upstream.maxInFlight.get('par')).toBeLessThanOrEqual(3);
    // Slots are released when requests end: the next burst gets three more.
    const again = await burst(6, key, 'm-par');
    expect(again.filter((r) => r.status === 200)).toHaveLength(3);
  });

  it('reserves tokens up front so concurrent requests cannot overrun tpm', async () => {
    const { key } = await keyFor({ tpm: 1000, perModelMaxTokens: { '*': 100 } });
    const results = await burst(20, key, 'm-tpm');
    const ok = results.filter((r) => r.status === 200).length;
    // Each admission reserves at least the 100-token cap plus a prompt estimate.
    expect(ok).toBeGreaterThanOrEqual(5);
    expect(ok).toBeLessThanOrEqual(9);
    expect(results.find((r) => r.status === 200)!.headers.get('x-ratelimit-limit-tokens')).toBe('1000');
    const denied = results.find((r) => r.status === 429)!;
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe('rate_limit_exceeded');

    // A request that could never fit is a 400, not an endless 429.
    const huge = await fetch(`${replicas[0].url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'm-tpm', messages: [{ role: 'user', content: 'word '.repeat(5000) }] }),
    });
    expect(huge.status).toBe(400);
    expect(((await huge.json()) as { error: { code: string } }).error.code).toBe('request_exceeds_limit');
  });

  it('never lets settled spend exceed the budget, whatever the concurrency', async () => {
    const { id, key } = await keyFor({ budgetUsd: 1, budgetPeriod: 'day', perModelMaxTokens: { '*': 100 } });
    let admitted = 0;
    let lastDenial = '';
    // Keep bursting until the budget admits nothing more; reservations are settled to actual cost in between.
    for (let round = 0; round < 40; round++) {
      const results = await burst(12, key, 'm-bud');
      const ok = results.filter((r) => r.status === 200).length;
      admitted += ok;
      const denied = results.find((r) => r.status === 429);
      if (denied) lastDenial = ((await denied.json()) as { error: { code: string } }).error.code;
      if (ok === 0) break;
    }
    expect(lastDenial).toBe('budget_exceeded');
    const { cost } = await ledgerSpend(id, admitted);
    // 18 tokens at $1000 per million = $0.018 per request.
    expect(cost).toBeCloseTo(admitted * 0.018, 6);
    expect(cost).toBeLessThanOrEqual(1);
    expect(admitted).toBeGreaterThan(40);
  });
});
