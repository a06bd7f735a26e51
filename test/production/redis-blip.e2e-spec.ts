import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import OpenAI from 'openai';
import pg from 'pg';
import { call, master, startAdminApp } from '../../apps/admin/test/admin-app.fixture';
import { startDataPlane, useConfig } from '../support/gateway-harness';
import { freePort, PrivateRedis, sleep, startWorkers, waitFor } from './production.fixture';

/**
 * A Redis blip on a Redis of the test's own (never the machine's shared one): the data plane keeps serving a warm
 * key, its usage records go to the Postgres outbox, and once Redis is back everything lands in the ledger.
 */
describe('Redis blip', () => {
  const redis = new PrivateRedis(0);
  let admin: NestFastifyApplication;
  let dataPlane: NestFastifyApplication;
  let workers: INestApplicationContext;
  let db: pg.Client;
  const savedRedisUrl = process.env.REDIS_URL;

  beforeAll(async () => {
    (redis as { port: number }).port = await freePort();
    await redis.start();
    process.env.REDIS_URL = redis.url;
    useConfig(`
providers: [{ name: mock, type: mock }]
models: [{ name: m, targets: [{ provider: mock, model: mock-small }] }]
limits: { onRedisDown: local }
`);
    admin = await startAdminApp();
    ({ app: dataPlane } = await startDataPlane());
    workers = await startWorkers();
    db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
  }, 60_000);

  afterAll(async () => {
    await db?.end();
    await dataPlane?.close();
    await workers?.close();
    await admin?.close();
    await redis.stop();
    process.env.REDIS_URL = savedRedisUrl;
  });

  it('serves warm keys while Redis is down, and loses no usage record', async () => {
    const created = await call(admin, 'POST', '/admin/v1/keys', { headers: master, body: { name: 'blip', rpm: 1000 } });
    const base = (await dataPlane.getUrl()).replace('[::1]', '127.0.0.1');
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: created.body.key, maxRetries: 0 });
    const ask = () => client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    await ask();

    await redis.stop();
    const during = await Promise.all(Array.from({ length: 8 }, ask));
    expect(during.every((r) => typeof r.choices[0].message.content === 'string')).toBe(true);

    await redis.start();
    await sleep(500);
    const after = await Promise.all(Array.from({ length: 3 }, ask));
    expect(after).toHaveLength(3);

    await waitFor('all 12 usage records in the ledger', async () => {
      const r = await db.query<{ n: string }>('SELECT count(*) AS n FROM "UsageRecord" WHERE "keyId" = $1', [created.body.id]);
      return Number(r.rows[0].n) === 12;
    }, 60_000);
  }, 120_000);
});
