import { randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import pg from 'pg';
import { EventPublisher, InfraModule, QueuesModule } from '@llmp/infra';
import { WorkersModule } from '../workers/workers.module';
import { AuditLogService } from './audit-log.service';
import { AuditRepository } from './audit.repository';
import { AuditRetentionService } from './audit-retention.service';
import { useIsolatedDatabase } from '../../../../test/support/isolated-database';

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out');
}

describe('audit hash chain (Postgres + Redis)', () => {
  let app: TestingModule;
  let db: pg.Client;
  let audit: AuditLogService;
  let dropDatabase: () => Promise<void>;

  beforeAll(async () => {
    // This file tampers with and prunes the chain on purpose: it gets a database of its own.
    dropDatabase = await useIsolatedDatabase();
    app = await Test.createTestingModule({
      imports: [
        InfraModule,
        QueuesModule.forRoot({ flushIntervalMs: 5 }),
        WorkersModule.forRoot({ batchWaitMs: 10, relayIntervalMs: 100, run: { usage: false, audit: true, relay: true, prune: false } }),
      ],
      providers: [AuditLogService, AuditRepository],
    }).compile();
    await app.init();
    audit = app.get(AuditLogService);
    db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await db.end();
    await app.close();
    await dropDatabase();
  });

  const auditCount = async (): Promise<number> => Number((await db.query(`SELECT count(*) n FROM "AuditEvent" WHERE "requestId" LIKE 'req-%'`)).rows[0].n);
  const allCount = async (): Promise<number> => Number((await db.query('SELECT count(*) n FROM "AuditEvent"')).rows[0].n);

  it('chains events, filters and pages them, verifies, detects tampering, and stays verifiable after pruning', async () => {
    const publisher = app.get(EventPublisher);
    const start = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 30; i++) {
      publisher.publishAudit({
        eventId: randomUUID(),
        time: new Date(start + i * 86_400_000).toISOString(),
        actorType: i % 2 ? 'admin' : 'key',
        actorId: i % 2 ? 'adm_1' : 'key_1',
        action: i % 3 ? 'key.update' : 'auth.denied',
        target: `key_${i % 4}`,
        before: i % 2 ? { rpm: i, nested: { b: 1, a: [1, 'x\u0000'] } } : null,
        after: { rpm: i + 1, zeta: true, alpha: 'ü\uD800' },
        requestId: `req-${i}`,
        sourceIp: '10.0.0.1',
      });
    }
    await publisher.flush();
    await waitFor(async () => (await auditCount()) === 30);

    expect(await audit.verify()).toEqual({ ok: true, checked: await allCount() });

    const page1 = await audit.list({ actor: 'adm_1' }, 10);
    expect(page1.data).toHaveLength(10);
    expect(page1.data.every((e) => e.actorId === 'adm_1')).toBe(true);
    const page2 = await audit.list({ actor: 'adm_1' }, 10, page1.nextCursor!);
    expect(page2.data).toHaveLength(5);
    expect(page2.nextCursor).toBeNull();
    const denied = await audit.list({ action: 'auth.denied', from: new Date(start), to: new Date(start + 10 * 86_400_000) }, 100);
    expect(denied.data.map((e) => e.requestId)).toEqual(['req-9', 'req-6', 'req-3', 'req-0']);

    // Tamper: edit one row behind the chain's back.
    const victim = (await db.query('SELECT seq FROM "AuditEvent" ORDER BY seq LIMIT 1 OFFSET 11')).rows[0].seq as string;
    await db.query(`UPDATE "AuditEvent" SET action = 'key.read' WHERE seq = $1`, [victim]);
    expect(await audit.verify()).toEqual({ ok: false, checked: 11, firstBrokenSeq: String(victim) });
    await db.query(`UPDATE "AuditEvent" SET action = 'key.update' WHERE seq = $1`, [victim]);
    expect((await audit.verify()).ok).toBe(true);

    // Retention: events older than 10 days before "now" (= day 29) go; the rest still verifies from the anchor.
    const retention = app.get(AuditRetentionService);
    const deleted = await retention.prune(new Date(start + 29 * 86_400_000), 10);
    // Another suite's event (dated 2020) may sit before ours in the chain and go with them.
    expect([19, 20]).toContain(deleted);
    expect(await audit.verify()).toEqual({ ok: true, checked: await allCount() });

    // Deleting the oldest kept row is detected too.
    await db.query('DELETE FROM "AuditEvent" WHERE seq = (SELECT min(seq) FROM "AuditEvent")');
    expect((await audit.verify()).ok).toBe(false);
  });
});
