import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import type { UsageEvent } from '@llmp/common';
import { EventPublisher, InfraModule, QueuesModule } from '@llmp/infra';
import { sleep, waitFor } from '../production/production.fixture';
import { spawnWorker } from '../support/worker-process';
import { faultCase } from './fault-report';

@Module({ imports: [InfraModule, QueuesModule.forRoot({ flushIntervalMs: 5 })] })
class PublisherModule {}

/**
 * A built worker killed with SIGKILL in the middle of writing thousands of queued usage records: a second worker
 * takes over the dead one's jobs, and the ledger ends with every record exactly once and rollups equal to it.
 */
describe('platform: worker SIGKILLed mid-batch', () => {
  let db: pg.Client;

  async function count(keyId: string): Promise<number> {
    const r = await db.query<{ n: string }>('SELECT count(*) AS n FROM "UsageRecord" WHERE "keyId" = $1', [keyId]);
    return Number(r.rows[0].n);
  }

  beforeAll(async () => {
    db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
  });

  faultCase('platform', 'worker SIGKILLed mid-batch: no usage record lost or duplicated, rollups equal the ledger', async (ctx) => {
    const run = `sigkill-${Date.now()}`;
    const publisher = await NestFactory.createApplicationContext(PublisherModule, { logger: ['error'] });
    const first = spawnWorker();
    let second: ReturnType<typeof spawnWorker> | null = null;
    try {
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

      await waitFor('the first rows', async () => (await count(run)) >= 1, 30_000);
      await first.stop('SIGKILL');
      const atKill = await count(run);
      expect(atKill).toBeLessThan(N);

      second = spawnWorker();
      await waitFor(`${N} rows`, async () => (await count(run)) >= N, 60_000).catch(() => undefined);
      await sleep(500);
      const landed = await count(run);
      ctx.lost(Math.max(0, N - landed), 'usage records');
      ctx.note(`${atKill} of ${N} written when the worker was killed`);
      expect(landed).toBe(N);
      const ledger = (await db.query<{ tokens: string; cost: string }>(
        'SELECT sum("totalTokens")::text AS tokens, sum("costUsd")::text AS cost FROM "UsageRecord" WHERE "keyId" = $1', [run],
      )).rows[0];
      const rollup = (await db.query<{ tokens: string; cost: string; requests: string }>(
        `SELECT sum("totalTokens")::text AS tokens, sum("costUsd")::text AS cost, sum(requests)::text AS requests
           FROM "UsageRollup" WHERE granularity = 'day' AND "keyId" = $1`, [run],
      )).rows[0];
      expect([rollup.requests, rollup.tokens, Number(rollup.cost)]).toEqual([String(N), ledger.tokens, Number(ledger.cost)]);
    } finally {
      await first.stop('SIGKILL');
      await second?.stop();
      await publisher.close();
    }
  }, 120_000);
});
