import { randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import pg from 'pg';
import type { UsageEvent } from '@llmp/common';
import { InfraModule } from '@llmp/infra';
import { UsageLedgerRepository } from '../workers/usage-ledger.repository';
import { usageCsvLines } from './usage-csv';
import { UsageReportRepository } from './usage-report.repository';
import { UsageReportService } from './usage-report.service';

describe('usage reports (Postgres)', () => {
  let app: TestingModule;
  let db: pg.Client;
  let reports: UsageReportService;
  const run = `rpt${randomUUID().slice(0, 8)}`;
  const base = Date.UTC(2025, 5, 1, 7, 13);

  beforeAll(async () => {
    app = await Test.createTestingModule({
      imports: [InfraModule],
      providers: [UsageLedgerRepository, UsageReportRepository, UsageReportService],
    }).compile();
    await app.init();
    reports = app.get(UsageReportService);
    db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    const events: UsageEvent[] = Array.from({ length: 1500 }, (_, i) => ({
      requestId: `${run}-${i}`, keyId: `${run}-k${i % 4}`, teamId: i % 3 ? `${run}-t${i % 2}` : null,
      requestedModel: `${run}-m${i % 3}`, resolvedModel: `${run}-m${i % 3}`, provider: 'mock', endpoint: 'chat',
      status: i % 17 ? 200 : 429, errorCode: null, promptTokens: i % 997, completionTokens: (i * 7) % 501,
      totalTokens: (i % 997) + ((i * 7) % 501), costUsd: i % 5 ? `0.${String(i * 7919).padStart(10, '0')}` : '0',
      priced: i % 5 !== 0, estimated: false, latencyMs: 1, ttftMs: null, streamed: false, attempts: [],
      createdAt: new Date(base + i * 211_000).toISOString(),
    }));
    const ledger = app.get(UsageLedgerRepository);
    for (let i = 0; i < events.length; i += 500) await ledger.insertBatch(events.slice(i, i + 500));
  });

  afterAll(async () => {
    await db.end();
    await app.close();
  });

  async function ledgerSums(from: Date, to: Date, extra = '', params: unknown[] = []) {
    const r = (await db.query(
      `SELECT count(*)::int requests, coalesce(sum("promptTokens"),0)::int pt, coalesce(sum("costUsd"),0)::text cost,
              (count(*) FILTER (WHERE status >= 400))::int errors
         FROM "UsageRecord" WHERE "requestId" LIKE $1 AND "createdAt" >= $2 AND "createdAt" < $3 ${extra}`,
      [`${run}-%`, from.toISOString().replace('Z', ''), to.toISOString().replace('Z', ''), ...params],
    )).rows[0];
    return r as { requests: number; pt: number; cost: string; errors: number };
  }

  const norm = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);

  it.each([
    ['whole range', new Date(base - 86_400_000), new Date(base + 10 * 86_400_000)],
    ['odd minute edges across days', new Date(base + 3_333_000), new Date(base + 2 * 86_400_000 + 1_234_567)],
    ['inside one hour', new Date(base + 600_000), new Date(base + 1_800_000)],
    ['hours inside one day', new Date(Date.UTC(2025, 5, 1, 9)), new Date(Date.UTC(2025, 5, 1, 15, 30))],
  ])('totals equal the ledger sum exactly (%s)', async (_name, from, to) => {
    const report = await reports.report(from, to, ['day', 'model'], { model: undefined, keyId: undefined, teamId: undefined });
    const mine = report.rows.filter((r) => r.model?.startsWith(run));
    const expected = await ledgerSums(from, to);
    const sum = mine.reduce((s, r) => ({ requests: s.requests + r.requests, pt: s.pt + r.promptTokens, errors: s.errors + r.errors }), { requests: 0, pt: 0, errors: 0 });
    expect(sum).toEqual({ requests: expected.requests, pt: expected.pt, errors: expected.errors });
    const filtered = await reports.report(from, to, [], { keyId: `${run}-k1` });
    const k1 = await ledgerSums(from, to, `AND "keyId" = $4`, [`${run}-k1`]);
    expect(filtered.totals.requests).toBe(k1.requests);
    expect(norm(filtered.totals.costUsd)).toBe(norm(k1.cost));
  });

  it('groups by key and team with names, filters by team and model, lists unpriced models, and renders CSV', async () => {
    const from = new Date(base - 3600_000);
    const to = new Date(base + 5 * 86_400_000);
    const r = await reports.report(from, to, ['key', 'team'], { teamId: `${run}-t1`, model: `${run}-m2` });
    const expected = await ledgerSums(from, to, `AND "teamId" = $4 AND "resolvedModel" = $5`, [`${run}-t1`, `${run}-m2`]);
    expect(r.totals.requests).toBe(expected.requests);
    expect(norm(r.totals.costUsd)).toBe(norm(expected.cost));
    expect(r.rows.every((row) => row.teamId === `${run}-t1` && row.keyId?.startsWith(run))).toBe(true);
    expect(r.unpricedModels).toEqual([`${run}-m2`]);
    const csv = [...usageCsvLines(r.rows, new Set(['key', 'team']))];
    expect(csv[0]).toBe('keyId,keyName,teamId,teamName,requests,errors,promptTokens,completionTokens,totalTokens,costUsd\n');
    expect(csv).toHaveLength(r.rows.length + 1);
  });

  it('pages raw records with a cursor and filters', async () => {
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let i = 0; i < 100; i++) {
      const page = await reports.records({ keyId: `${run}-k2` }, 100, cursor);
      page.data.forEach((d) => seen.add(d.requestId));
      expect(page.data.every((d) => d.keyId === `${run}-k2`)).toBe(true);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen.size).toBe(375);
  });
});
