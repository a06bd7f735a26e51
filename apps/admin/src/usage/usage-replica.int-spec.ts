import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import pg from 'pg';
import type { UsageEvent } from '@llmp/common';
import { InfraModule } from '@llmp/infra';
import { UsageLedgerRepository } from '../workers/usage-ledger.repository';
import { UsageReportRepository } from './usage-report.repository';
import { UsageReportService } from './usage-report.service';

/**
 * LLMP_REPORTS_DATABASE_URL sends finance reads to a read replica. Stood in for here by a second database holding rows
 * the primary lacks: the reports see them, so they were read from the replica.
 */
describe('usage reports from a read replica (LLMP_REPORTS_DATABASE_URL)', () => {
  const primary = process.env.DATABASE_URL!;
  const replicaUrl = new URL(primary);
  replicaUrl.pathname = `${replicaUrl.pathname}_replica_${randomBytes(3).toString('hex')}`;
  const run = `rep${randomBytes(4).toString('hex')}`;
  let app: TestingModule | null = null;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: process.env.LLMP_TEST_ADMIN_PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${replicaUrl.pathname.slice(1)}"`);
    await admin.end();
    execFileSync('npx', ['prisma', 'migrate', 'deploy'], { env: { ...process.env, DATABASE_URL: replicaUrl.toString() }, stdio: 'pipe' });
    // Rows only the "replica" has, written through the ledger writer pointed at it.
    process.env.DATABASE_URL = replicaUrl.toString();
    const writer = await Test.createTestingModule({ imports: [InfraModule], providers: [UsageLedgerRepository] }).compile();
    const events: UsageEvent[] = Array.from({ length: 3 }, (_, i) => ({
      requestId: `${run}-${i}`, keyId: null, teamId: null, requestedModel: `${run}-m`, resolvedModel: `${run}-m`, provider: 'mock',
      endpoint: 'chat', status: 200, errorCode: null, promptTokens: 10, completionTokens: 5, totalTokens: 15, costUsd: '0.001',
      priced: true, estimated: false, latencyMs: 1, ttftMs: null, streamed: false, attempts: [], createdAt: new Date().toISOString(),
    }));
    await writer.get(UsageLedgerRepository).insertBatch(events);
    await writer.close();
    process.env.DATABASE_URL = primary;
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    process.env.DATABASE_URL = primary;
    delete process.env.LLMP_REPORTS_DATABASE_URL;
    const admin = new pg.Client({ connectionString: process.env.LLMP_TEST_ADMIN_PG_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${replicaUrl.pathname.slice(1)}" WITH (FORCE)`);
    await admin.end();
  });

  it('reports and raw records read the replica; the primary does not hold those rows', async () => {
    process.env.LLMP_REPORTS_DATABASE_URL = replicaUrl.toString();
    app = await Test.createTestingModule({ imports: [InfraModule], providers: [UsageReportRepository, UsageReportService] }).compile();
    await app.init();
    const reports = app.get(UsageReportService);
    const report = await reports.report(new Date(Date.now() - 3_600_000), new Date(Date.now() + 3_600_000), [], { model: `${run}-m` });
    expect(report.totals.requests).toBe(3);
    const records = await reports.records({ model: `${run}-m` }, 10);
    expect(records.data).toHaveLength(3);

    const db = new pg.Client({ connectionString: primary });
    await db.connect();
    const onPrimary = await db.query(`SELECT count(*)::int n FROM "UsageRecord" WHERE "requestId" LIKE $1`, [`${run}-%`]);
    await db.end();
    expect(onPrimary.rows[0].n).toBe(0);
  });
});
