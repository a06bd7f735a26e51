import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import OpenAI from 'openai';
import pg from 'pg';
import type { UsageEvent } from '@llmp/common';
import { EventPublisher, InfraModule, QueuesModule } from '@llmp/infra';
import { call, master, startAdminApp } from '../../apps/admin/test/admin-app.fixture';
import { sleep } from '../support/fake-upstream';
import { startDataPlane, useConfig } from '../support/gateway-harness';
import { TcpProxy } from '../support/tcp-proxy';

const root = join(__dirname, '..', '..');
const WORKER = join(root, 'dist/apps/admin/src/worker.js');

@Module({ imports: [InfraModule, QueuesModule.forRoot({ flushIntervalMs: 5 })] })
class PublisherModule {}

function startWorker(databaseUrl: string): ChildProcess {
  return spawn(process.execPath, [WORKER], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, LLMP_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
}

function stopped(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

/** The ledger under faults: a worker killed with SIGKILL mid-stream of batches, and Postgres gone during requests. */
describe('ledger faults', () => {
  let db: pg.Client;

  async function count(sql: string, args: unknown[]): Promise<number> {
    return Number((await db.query<{ n: string }>(sql, args)).rows[0].n);
  }

  async function waitForCount(sql: string, args: unknown[], expected: number, timeoutMs = 60_000): Promise<number> {
    const until = Date.now() + timeoutMs;
    let n = 0;
    while (Date.now() < until) {
      n = await count(sql, args);
      if (n >= expected) return n;
      await sleep(100);
    }
    throw new Error(`expected ${expected} rows, have ${n}`);
  }

  beforeAll(async () => {
    if (!existsSync(WORKER)) {
      execFileSync(process.execPath, [join(root, 'node_modules/@nestjs/cli/bin/nest.js'), 'build', 'admin'], { cwd: root, stdio: 'pipe' });
    }
    db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
  }, 120_000);

  afterAll(async () => {
    await db?.end();
  });

  it('loses nothing and duplicates nothing when the worker is killed with SIGKILL mid-batch', async () => {
    const run = `sigkill-${Date.now()}`;
    const publisher = await NestFactory.createApplicationContext(PublisherModule, { logger: ['error'] });
    const events = publisher.get(EventPublisher);
    const N = 6000;
    for (let i = 0; i < N; i++) {
      const event: UsageEvent = {
        requestId: `${run}-${i}`, keyId: run, teamId: null, requestedModel: 'm', resolvedModel: 'm', provider: 'p',
        endpoint: 'chat', status: 200, errorCode: null, promptTokens: 10, completionTokens: i % 7, totalTokens: 10 + (i % 7),
        costUsd: '0.0000123400', priced: true, estimated: false, latencyMs: 5, ttftMs: null, streamed: false, attempts: [],
        createdAt: new Date().toISOString(),
      };
      events.publishUsage(event);
    }
    await events.flush();

    const first = startWorker(process.env.DATABASE_URL!);
    const sql = 'SELECT count(*) AS n FROM "UsageRecord" WHERE "keyId" = $1';
    await waitForCount(sql, [run], 1);
    first.kill('SIGKILL');
    await stopped(first);
    const atKill = await count(sql, [run]);
    expect(atKill).toBeLessThan(N);

    const second = startWorker(process.env.DATABASE_URL!);
    try {
      expect(await waitForCount(sql, [run], N, 90_000)).toBe(N);
      await sleep(500);
      expect(await count(sql, [run])).toBe(N);
      const ledger = (await db.query<{ tokens: string; cost: string }>(
        'SELECT sum("totalTokens")::text AS tokens, sum("costUsd")::text AS cost FROM "UsageRecord" WHERE "keyId" = $1', [run],
      )).rows[0];
      const rollup = (await db.query<{ tokens: string; cost: string; requests: string }>(
        `SELECT sum("totalTokens")::text AS tokens, sum("costUsd")::text AS cost, sum(requests)::text AS requests
           FROM "UsageRollup" WHERE granularity = 'day' AND "keyId" = $1`, [run],
      )).rows[0];
      expect([rollup.requests, rollup.tokens, Number(rollup.cost)]).toEqual([String(N), ledger.tokens, Number(ledger.cost)]);
    } finally {
      second.kill('SIGTERM');
      await stopped(second);
      await publisher.close();
    }
  }, 150_000);

  it('keeps serving while Postgres is unreachable, and the records land when it returns', async () => {
    const proxy = new TcpProxy(Number(new URL(process.env.DATABASE_URL!).port || 5432));
    const proxyPort = await proxy.up();
    const viaProxy = new URL(process.env.DATABASE_URL!);
    viaProxy.port = String(proxyPort);

    useConfig(`
providers: [{ name: mock, type: mock }]
models: [{ name: m, targets: [{ provider: mock, model: mock-small }], pricing: { input: 1, output: 1 } }]
`);
    const admin: NestFastifyApplication = await startAdminApp();
    const direct = process.env.DATABASE_URL!;
    process.env.DATABASE_URL = viaProxy.toString();
    let dataPlane: NestFastifyApplication | null = null;
    const worker = startWorker(viaProxy.toString());
    try {
      ({ app: dataPlane } = await startDataPlane());
      const base = await dataPlane.getUrl();
      const created = await call(admin, 'POST', '/admin/v1/keys', { headers: master, body: { name: 'pg-down' } });
      const client = new OpenAI({ baseURL: `${base.replace('[::1]', '127.0.0.1')}/v1`, apiKey: created.body.key, maxRetries: 0 });
      const ask = () => client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
      await ask(); // warms the key
      const sql = 'SELECT count(*) AS n FROM "UsageRecord" WHERE "keyId" = $1';
      await waitForCount(sql, [created.body.id], 1);

      await proxy.down();
      const answers = await Promise.all(Array.from({ length: 10 }, ask));
      expect(answers.every((a) => a.choices[0].message.content)).toBe(true);
      await sleep(1500);
      expect(await count(sql, [created.body.id])).toBe(1);

      await proxy.up();
      expect(await waitForCount(sql, [created.body.id], 11, 60_000)).toBe(11);
    } finally {
      process.env.DATABASE_URL = direct;
      worker.kill('SIGTERM');
      await stopped(worker);
      await dataPlane?.close();
      await admin.close();
      await proxy.down();
    }
  }, 150_000);
});
