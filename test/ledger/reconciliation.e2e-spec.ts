import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import OpenAI from 'openai';
import pg from 'pg';
import { InfraModule } from '@llmp/infra';
import { call, master, startAdminApp } from '../../apps/admin/test/admin-app.fixture';
import { WorkersModule } from '../../apps/admin/src/workers/workers.module';
import { chatChunks, chatCompletion, FakeUpstream, sleep } from '../support/fake-upstream';
import { startDataPlane, useConfig } from '../support/gateway-harness';

@Module({ imports: [InfraModule, WorkersModule.forRoot({ batchWaitMs: 20 })] })
class LedgerWorkerModule {}

interface Row {
  requestId: string;
  status: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  costUsd: string;
  estimated: boolean;
  streamed: boolean;
  ttftMs: number | null;
  resolvedModel: string | null;
  provider: string | null;
}

/**
 * The ledger end to end: the data plane serves a mix of plain, streamed, usage-less and aborted requests; the worker
 * writes them; the ledger must hold exactly one exact record per request, and the finance report must add up.
 */
describe('usage ledger reconciliation', () => {
  const upstream = new FakeUpstream();
  let admin: NestFastifyApplication;
  let worker: INestApplicationContext;
  let dataPlane: NestFastifyApplication;
  let base: string;
  let key: string;
  let keyId: string;
  let db: pg.Client;

  async function rows(expected: number): Promise<Row[]> {
    for (let i = 0; i < 150; i++) {
      const r = await db.query<Row>('SELECT * FROM "UsageRecord" WHERE "keyId" = $1', [keyId]);
      if (r.rows.length >= expected) return r.rows;
      await sleep(100);
    }
    throw new Error('records did not arrive');
  }

  beforeAll(async () => {
    const url = await upstream.start();
    upstream.behavior = (req) => {
      const content = JSON.stringify(req.body.messages);
      if (content.includes('no-usage')) return { stream: { chunks: chatChunks(String(req.body.model), ['a', 'b', 'c']).slice(0, -1) } };
      if (content.includes('slow')) return { stream: { chunks: chatChunks(String(req.body.model), Array.from({ length: 40 }, () => 'tick ')), delayMs: 40 } };
      if (req.body.stream) return { stream: { chunks: chatChunks(String(req.body.model), ['x', 'y'], { prompt_tokens: 30, completion_tokens: 2, total_tokens: 32 }) } };
      return { json: chatCompletion(req, 'hello') };
    };
    useConfig(`
providers:
  - { name: up, type: openai, baseUrl: "${url}", apiKey: sk-upstream-credential-xyz }
models:
  - { name: priced, targets: [{ provider: up, model: p }], pricing: { input: 3, output: 15 } }
`);
    admin = await startAdminApp();
    worker = await NestFactory.createApplicationContext(LedgerWorkerModule, { logger: ['error'] });
    ({ app: dataPlane, url: base } = await startDataPlane());
    const created = await call(admin, 'POST', '/admin/v1/keys', { headers: master, body: { name: 'ledger' } });
    ({ key, id: keyId } = created.body as { key: string; id: string });
    db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
  }, 60_000);

  afterAll(async () => {
    await db?.end();
    await dataPlane?.close();
    await worker?.close();
    await admin?.close();
    await upstream.close();
  });

  it('writes exactly one exact record per request: plain, streamed, usage-less and aborted, concurrently', async () => {
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: key, maxRetries: 0 });
    const msg = (content: string) => [{ role: 'user' as const, content }];
    const plain = () => client.chat.completions.create({ model: 'priced', messages: msg('plain') });
    const streamed = async () => {
      const s = await client.chat.completions.create({ model: 'priced', stream: true, messages: msg('streamed') });
      for await (const _ of s) void _;
    };
    const noUsage = async () => {
      const s = await client.chat.completions.create({ model: 'priced', stream: true, messages: msg('no-usage') });
      for await (const _ of s) void _;
    };
    const aborted = async () => {
      const controller = new AbortController();
      const s = await client.chat.completions.create({ model: 'priced', stream: true, messages: msg('slow') }, { signal: controller.signal });
      let n = 0;
      try {
        for await (const _ of s) if (++n === 3) controller.abort();
      } catch {
        // aborted on purpose
      }
    };
    const jobs = [
      ...Array.from({ length: 20 }, () => plain),
      ...Array.from({ length: 15 }, () => streamed),
      ...Array.from({ length: 5 }, () => noUsage),
      ...Array.from({ length: 5 }, () => aborted),
    ];
    await Promise.all(jobs.map((j) => j()));
    const records = await rows(jobs.length);
    await sleep(300);
    const again = await rows(jobs.length);
    expect(again).toHaveLength(jobs.length);
    expect(new Set(records.map((r) => r.requestId)).size).toBe(jobs.length);

    const plainRows = records.filter((r) => !r.streamed);
    expect(plainRows).toHaveLength(20);
    for (const r of plainRows) {
      expect([r.status, r.promptTokens, r.completionTokens, r.totalTokens, r.estimated]).toEqual([200, 11, 7, 18, false]);
      // 11 × $3/M + 7 × $15/M
      expect(r.costUsd).toBe('0.0001380000');
      expect(r.provider).toBe('up');
      expect(r.resolvedModel).toBe('priced');
    }
    const streamRows = records.filter((r) => r.streamed && !r.estimated);
    expect(streamRows).toHaveLength(15);
    for (const r of streamRows) {
      expect([r.status, r.promptTokens, r.completionTokens, r.totalTokens]).toEqual([200, 30, 2, 32]);
      expect(r.costUsd).toBe('0.0001200000');
      expect(r.ttftMs).not.toBeNull();
    }
    const estimated = records.filter((r) => r.estimated);
    expect(estimated).toHaveLength(10);
    expect(estimated.filter((r) => r.status === 200)).toHaveLength(5);
    expect(estimated.filter((r) => r.status === 499)).toHaveLength(5);
    for (const r of estimated) {
      expect(r.promptTokens).toBeGreaterThan(0);
      expect(r.completionTokens).toBeGreaterThan(0);
    }

    // The finance report equals the ledger exactly.
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const report = await call(admin, 'GET', `/admin/v1/usage?from=${from}&to=${to}&groupBy=key&keyId=${keyId}`, { headers: master });
    expect(report.status).toBe(200);
    const sum = await db.query<{ requests: string; tokens: string; cost: string }>(
      'SELECT count(*)::text AS requests, sum("totalTokens")::text AS tokens, sum("costUsd")::text AS cost FROM "UsageRecord" WHERE "keyId" = $1',
      [keyId],
    );
    expect(report.body.totals.requests).toBe(Number(sum.rows[0].requests));
    expect(Number(report.body.totals.totalTokens)).toBe(Number(sum.rows[0].tokens));
    expect(Number(report.body.totals.costUsd)).toBeCloseTo(Number(sum.rows[0].cost), 10);
  });

  it('keeps plaintext keys and upstream credentials out of every record, event and outbox row', async () => {
    const text = await db.query<{ t: string }>(
      `SELECT string_agg(t::text, ' ') AS t FROM (
         SELECT u::text AS t FROM "UsageRecord" u UNION ALL SELECT a::text FROM "AuditEvent" a UNION ALL SELECT o::text FROM "Outbox" o
       ) x`,
    );
    expect(text.rows[0].t).not.toContain(key);
    expect(text.rows[0].t).not.toContain(key.slice(5));
    expect(text.rows[0].t).not.toContain('sk-upstream-credential-xyz');
  });
});
