import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { call, master, startAdminApp } from '../../apps/admin/test/admin-app.fixture';
import { freePort, PrivateRedis, sleep, spawnApi, waitFor, writeConfig, type ApiProcess } from '../production/production.fixture';
import { registerCanaries } from '../support/canary';
import { spawnWorker, type WorkerProcess } from '../support/worker-process';
import { faultCase } from './fault-report';
import { accountLedger, auditEventsFor } from './ledger-accounting';

/**
 * Redis stopped and restarted (a redis-server of the test's own) under two built data planes, one configured
 * `onRedisDown: local` and one `closed`, and a built worker: each plane follows its policy during the outage, budgets
 * fail closed on both, every usage record and audit event goes through the Postgres outbox, and all land exactly
 * once after Redis returns.
 */
describe('platform: Redis stopped and restarted', () => {
  const redis = new PrivateRedis(0);
  let admin: NestFastifyApplication | null = null;
  let local: ApiProcess | null = null;
  let closed: ApiProcess | null = null;
  let worker: WorkerProcess | null = null;
  let db: pg.Client | null = null;
  const savedRedisUrl = process.env.REDIS_URL;

  const config = (onRedisDown: string): string =>
    writeConfig(`
providers: [{ name: mock, type: mock }]
models:
  - { name: m, targets: [{ provider: mock, model: mock-small }], pricing: { input: 1, output: 1 } }
  - { name: other, targets: [{ provider: mock, model: mock-small }] }
limits: { onRedisDown: ${onRedisDown} }
`);

  beforeAll(async () => {
    (redis as { port: number }).port = await freePort();
    await redis.start();
    process.env.REDIS_URL = redis.url;
    admin = await startAdminApp();
    [local, closed] = await Promise.all([
      spawnApi({ LLMP_CONFIG: config('local'), REDIS_URL: redis.url, LLMP_LOG_LEVEL: 'warn' }),
      spawnApi({ LLMP_CONFIG: config('closed'), REDIS_URL: redis.url, LLMP_LOG_LEVEL: 'warn' }),
    ]);
    worker = spawnWorker({ REDIS_URL: redis.url });
    db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
  }, 90_000);

  afterAll(async () => {
    process.env.REDIS_URL = savedRedisUrl;
    await db?.end().catch(() => undefined);
    for (const api of [local, closed]) if (api && api.child.exitCode === null) api.child.kill('SIGKILL');
    await worker?.stop('SIGKILL');
    await admin?.close().catch(() => undefined);
    await redis.stop();
  });

  async function ask(api: ApiProcess, key: string, model: string, requestId: string): Promise<Response> {
    return fetch(`${api.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'x-request-id': requestId },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
  }

  /** A series' value; 0 when its metric is exported but the series was never incremented, NaN when unknown. */
  async function metric(api: ApiProcess, series: string): Promise<number> {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    if (line) return Number(line.slice(series.length + 1));
    return text.includes(`# TYPE ${series.split('{')[0]} `) ? 0 : NaN;
  }

  async function code(res: Response): Promise<string> {
    return ((await res.json()) as { error: { code: string } }).error.code;
  }

  faultCase('platform', 'Redis stopped and restarted: onRedisDown followed, records through the outbox, none lost', async (ctx) => {
    const plain = await call(admin!, 'POST', '/admin/v1/keys', { headers: master, body: { name: 'redis-stop', allowedModels: ['m'], rpm: 1000 } });
    const budgeted = await call(admin!, 'POST', '/admin/v1/keys', { headers: master, body: { name: 'redis-stop-budget', budgetUsd: 100, budgetPeriod: 'day' } });
    const limited = await call(admin!, 'POST', '/admin/v1/keys', { headers: master, body: { name: 'redis-stop-rpm', rpm: 3 } });
    expect([plain.status, budgeted.status, limited.status]).toEqual([201, 201, 201]);
    const [key, budgetKey, rpmKey] = [plain.body.key as string, budgeted.body.key as string, limited.body.key as string];
    registerCanaries([key, budgetKey, rpmKey]);
    const id = (tag: string): string => `redisstop-${tag}-${randomUUID()}`;

    // Warm both planes' key caches; the warm-up rows land before Redis goes (this Redis keeps no data on disk).
    const warm = [id('warm'), id('warm'), id('warm'), id('warm'), id('warm')];
    for (const [i, api] of [local!, closed!].entries()) {
      expect((await ask(api, key, 'm', warm[2 * i])).status).toBe(200);
      expect((await ask(api, budgetKey, 'm', warm[2 * i + 1])).status).toBe(200);
    }
    expect((await ask(local!, rpmKey, 'm', warm[4])).status).toBe(200);
    await waitFor('the warm-up records', async () => (await accountLedger(warm, 0)).missing === 0);

    await redis.stop();
    const served = Array.from({ length: 8 }, () => id('local'));
    const denied = [id('denied'), id('denied')];
    const refusedClosed = [id('closed'), id('closed')];
    const refusedBudget = [id('budget'), id('budget')];
    const rpmLimited = Array.from({ length: 5 }, () => id('rpm'));
    const answers = await Promise.all([
      ...served.map((rid) => ask(local!, key, 'm', rid)),
      ...denied.map((rid) => ask(local!, key, 'other', rid)),
      ...refusedClosed.map((rid) => ask(closed!, key, 'm', rid)),
      ask(local!, budgetKey, 'm', refusedBudget[0]),
      ask(closed!, budgetKey, 'm', refusedBudget[1]),
      ...rpmLimited.map((rid) => ask(local!, rpmKey, 'm', rid)),
    ]);
    const [ok, notAllowed, closedAnswers, budgetAnswers] = [
      answers.slice(0, 8), answers.slice(8, 10), answers.slice(10, 12), answers.slice(12, 14),
    ];
    const rpmAnswers = answers.slice(14);
    // local: served under the replica's own limiter; closed: a clear 503 with Retry-After; budgets: fail closed on both.
    expect(ok.map((r) => r.status)).toEqual(served.map(() => 200));
    expect(notAllowed.map((r) => r.status)).toEqual([400, 400]);
    expect(await code(notAllowed[0])).toBe('model_not_allowed');
    for (const r of [...closedAnswers, ...budgetAnswers]) {
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBeTruthy();
      expect(await code(r)).toBe('limits_unavailable');
    }
    // The local limiter still enforces rpm 3 on its own (per replica), starting from the one request this replica
    // admitted through Redis before the outage: 2 of 5 admitted, the rest a clear 429.
    expect(rpmAnswers.map((r) => r.status).sort()).toEqual([200, 200, 429, 429, 429]);
    expect(await code(rpmAnswers.find((r) => r.status === 429)!)).toBe('rate_limit_exceeded');
    expect(await metric(local!, 'llmp_redis_fallbacks_total{mode="local"}')).toBeGreaterThanOrEqual(served.length);
    expect(await metric(closed!, 'llmp_redis_fallbacks_total{mode="closed"}')).toBeGreaterThanOrEqual(refusedClosed.length);

    await redis.start();
    // Each plane answers 200 again once its connection is back (the probes that were still refused count as records too).
    const after: string[] = [];
    for (const api of [local!, closed!]) {
      await waitFor('the plane admitting through Redis again', async () => {
        const rid = id('after');
        after.push(rid);
        return (await ask(api, key, 'm', rid)).status === 200;
      });
    }

    const all = [...warm, ...served, ...denied, ...refusedClosed, ...refusedBudget, ...rpmLimited, ...after];
    const ledger = await accountLedger(all, 60_000);
    // Denials are audited: the two model_not_allowed and the two local rate-limit refusals.
    const auditable = [...denied, ...rpmLimited.filter((_, i) => rpmAnswers[i].status === 429)];
    await waitFor('every denial audit event', async () => (await auditEventsFor(auditable)).length >= auditable.length, 30_000).catch(() => undefined);
    const audited = new Set((await auditEventsFor(auditable)).map((e) => e.requestId));
    ctx.lost(ledger.missing, 'usage records');
    ctx.lost(auditable.filter((rid) => !audited.has(rid)).length, 'audit events');
    expect([ledger.missing, ledger.duplicated]).toEqual([0, 0]);
    expect([...audited].sort()).toEqual([...auditable].sort());
    // The outage's events went through the outbox, none was dropped, and the relay emptied it.
    const outboxed = (await metric(local!, 'llmp_events_total{sink="outboxed"}')) + (await metric(closed!, 'llmp_events_total{sink="outboxed"}'));
    ctx.note(`${outboxed} events through the outbox`);
    expect(outboxed).toBeGreaterThan(0);
    for (const api of [local!, closed!]) expect(await metric(api, 'llmp_events_total{sink="dropped"}')).toBe(0);
    const leftInOutbox = await db!.query<{ n: string }>(`SELECT count(*) AS n FROM "Outbox" WHERE payload::text LIKE '%redisstop-%'`);
    expect(Number(leftInOutbox.rows[0].n)).toBe(0);
  }, 120_000);
});
