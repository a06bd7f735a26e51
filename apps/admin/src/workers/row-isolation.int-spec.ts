import { randomBytes, randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import { type Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { type AuditEventInput, JOBS, QUEUES, type UsageEvent } from '@llmp/common';
import { bullConnection, bullPrefix, eventJobOptions, InfraModule, PrismaService } from '@llmp/infra';
import { useIsolatedDatabase } from '../../../../test/support/isolated-database';
import { AuditLogService } from '../audit/audit-log.service';
import { AuditRepository } from '../audit/audit.repository';
import type { ChainedFields } from '../audit/audit-chain';
import { MAX_AUDIT_TEXT_CHARS, sanitizeAuditEvent } from './audit-event.sanitizer';
import { AuditWriterRepository } from './audit-writer.repository';
import { writeIsolating } from './isolate-failures';
import { UsageLedgerRepository } from './usage-ledger.repository';
import { WorkersModule } from './workers.module';

/** Random text Postgres cannot compress, so its index entry really is as large as the string. */
function incompressible(chars: number): string {
  return randomBytes(Math.ceil((chars * 3) / 4) + 3).toString('base64url').slice(0, chars);
}

/** A JSON value nested deeper than the workers' repair walks, with a NUL at the bottom (jsonb refuses it: 22P05). */
function deepNul(levels: number): unknown {
  let v: unknown = 'nul\u0000here';
  for (let i = 0; i < levels; i++) v = { d: v };
  return v;
}

function usageEvent(requestId: string, over: Partial<UsageEvent> = {}): UsageEvent {
  return {
    requestId, keyId: null, teamId: null, requestedModel: 'iso-m', resolvedModel: null, provider: 'mock', endpoint: 'chat',
    status: 401, errorCode: 'invalid_api_key', promptTokens: 3, completionTokens: 2, totalTokens: 5, costUsd: '0.000001',
    priced: true, estimated: false, latencyMs: 1, ttftMs: null, streamed: false, attempts: [], createdAt: new Date().toISOString(),
    ...over,
  };
}

function auditEvent(eventId: string, over: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    eventId, time: new Date().toISOString(), actorType: 'anonymous', actorId: null, action: 'request.denied.invalid_api_key',
    target: 'iso-m', before: null, after: { status: 401 }, requestId: `${eventId}-r`, sourceIp: '127.0.0.1', ...over,
  };
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/**
 * One hostile row must never keep other usage out of the ledger (issue 18): jobs mixing good records with rows the
 * database refuses row by row (an index entry over btree's limit: 54000; numeric overflow: 22003; NUL in jsonb:
 * 22P05) are written at once, the bad rows alone quarantined, no job retried. Own database: the audit chain is
 * verified whole.
 */
describe('workers isolate the rows Postgres refuses (Postgres + Redis + BullMQ)', () => {
  let dropDatabase: () => Promise<void>;
  let db: pg.Client;
  let app: TestingModule;
  let connection: Redis;
  let usageQueue: Queue;
  let auditQueue: Queue;

  const count = async (sql: string, params: unknown[] = []): Promise<number> => Number((await db.query<{ n: string }>(sql, params)).rows[0].n);

  beforeAll(async () => {
    dropDatabase = await useIsolatedDatabase();
    db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    app = await Test.createTestingModule({
      imports: [InfraModule, WorkersModule.forRoot({ batchWaitMs: 20, relayIntervalMs: 100, run: { usage: true, audit: true, relay: false, prune: false } })],
    }).compile();
    app.useLogger(false);
    await app.init();
    connection = new Redis(bullConnection(process.env.REDIS_URL!));
    usageQueue = new Queue(QUEUES.usage, { connection, prefix: bullPrefix(process.env.LLMP_REDIS_PREFIX!) });
    auditQueue = new Queue(QUEUES.audit, { connection, prefix: bullPrefix(process.env.LLMP_REDIS_PREFIX!) });
  }, 90_000);

  afterAll(async () => {
    await app?.close();
    await usageQueue?.obliterate({ force: true }).catch(() => undefined);
    await auditQueue?.obliterate({ force: true }).catch(() => undefined);
    await usageQueue?.close();
    await auditQueue?.close();
    connection?.disconnect();
    await db?.end();
    await dropDatabase?.();
  });

  /** The production job options (retries with backoff), kept after completion so the test can read the job. */
  const jobOptions = (jobId: string) => ({ ...eventJobOptions(8), removeOnComplete: false, jobId });

  async function completed(queue: Queue, jobId: string, timeoutMs: number): Promise<Job> {
    // getJobState reads only the state (the job's data holds megabytes here).
    await waitFor(`job ${jobId} to complete`, async () => (await queue.getJobState(jobId)) === 'completed', timeoutMs);
    return (await queue.getJob(jobId))!;
  }

  it('writes the good usage records at once and quarantines each refused row alone (unindexable text, 22003, 22P05), without a retry', async () => {
    const run = `iso${randomUUID().slice(0, 8)}`;
    const good = Array.from({ length: 20 }, (_, i) => usageEvent(`${run}-good-${i}`, { requestedModel: `${run}-m` }));
    const bad: [string, UsageEvent][] = [
      // Keyless: the requested model is the rollup's key (btree entry over ~2.7 KB: 54000); 9 KB and 1 MB.
      ['9 KB requested model', usageEvent(`${run}-bad-9k`, { requestedModel: incompressible(9 * 1024) })],
      ['1 MB requested model', usageEvent(`${run}-bad-1m`, { requestedModel: incompressible(1024 * 1024) })],
      ['9 KB resolved model', usageEvent(`${run}-bad-resolved`, { resolvedModel: incompressible(9 * 1024) })],
      ['9 KB request id', usageEvent(`${run}-bad-id-${incompressible(9 * 1024)}`)],
      ['cost over numeric(20,10)', usageEvent(`${run}-bad-cost`, { costUsd: '123456789012.5' })],
      ['NUL deep in attempts', usageEvent(`${run}-bad-nul`, { attempts: [deepNul(80)] as never })],
    ];
    const events = [...good.slice(0, 7), bad[0][1], ...good.slice(7, 12), bad[1][1], bad[2][1], ...good.slice(12, 15), bad[3][1], bad[4][1], ...good.slice(15), bad[5][1]];
    const started = Date.now();
    await usageQueue.add(JOBS.usageBatch, { events }, jobOptions(`b.${run}`));
    // The good rows land first (before the bad ones are quarantined), within seconds: a batch-level failure would
    // have been retried only after >= 1 s of backoff, and again and again.
    await waitFor('the 20 good records', async () => (await count(`SELECT count(*) n FROM "UsageRecord" WHERE "requestId" LIKE $1`, [`${run}-good-%`])) === 20, 5_000);
    const elapsedMs = Date.now() - started;
    const job = await completed(usageQueue, `b.${run}`, 15_000);

    expect(await count(`SELECT count(*) n FROM "UsageRecord" WHERE "requestId" LIKE $1`, [`${run}-bad-%`])).toBe(0);
    expect(job.attemptsStarted).toBe(1);
    expect(job.failedReason ?? null).toBeNull();
    expect(elapsedMs).toBeLessThan(5_000);
    const outcomes = job.returnvalue as string[];
    expect(outcomes.filter((o) => o === 'written')).toHaveLength(20);
    expect(outcomes.filter((o) => o === 'quarantined')).toHaveLength(bad.length);

    // One quarantine row per bad record, each with the database's reason; none for the good ones.
    const q = await db.query<{ payload: string; error: string }>(`SELECT payload, error FROM "Quarantine" WHERE kind = 'usage' AND payload LIKE $1`, [`%"requestId":"${run}-%`]);
    expect(q.rows).toHaveLength(bad.length);
    const reasonOf = (requestIdPrefix: string): string => q.rows.find((r) => (JSON.parse(r.payload) as UsageEvent).requestId.startsWith(requestIdPrefix))!.error;
    // Values no index can hold are refused before the database (no round trip for the batch)...
    expect(reasonOf(`${run}-bad-9k`)).toMatch(/invalid payload: requestedModel is longer than 512 characters \(9216\)/);
    expect(reasonOf(`${run}-bad-1m`)).toMatch(/invalid payload: requestedModel is longer than 512 characters \(1048576\)/);
    expect(reasonOf(`${run}-bad-resolved`)).toMatch(/invalid payload: resolvedModel is longer/);
    expect(reasonOf(`${run}-bad-id-`)).toMatch(/invalid payload: requestId is longer/);
    // ...and rows the database refuses are found by splitting the batch.
    expect(reasonOf(`${run}-bad-cost`)).toMatch(/22003/);
    expect(reasonOf(`${run}-bad-nul`)).toMatch(/22P05/);
    // The full payload is kept for an operator, the 1 MB model included.
    expect((JSON.parse(q.rows.find((r) => r.payload.includes(`${run}-bad-1m`))!.payload) as UsageEvent).requestedModel).toHaveLength(1024 * 1024);

    // Rollups hold exactly the good records.
    expect(await count(`SELECT coalesce(sum(requests), 0) n FROM "UsageRollup" WHERE model = $1 AND granularity = 'day'`, [`${run}-m`])).toBe(20);
  });

  it('with a 1 MB model name among 40 good records in several jobs, all 40 land on the first attempt', async () => {
    const run = `iso1m${randomUUID().slice(0, 8)}`;
    const started = Date.now();
    for (let j = 0; j < 4; j++) {
      const events = Array.from({ length: 10 }, (_, i) => usageEvent(`${run}-good-${j}-${i}`));
      events.splice(5, 0, usageEvent(`${run}-bad-${j}`, { requestedModel: incompressible(1024 * 1024) }));
      await usageQueue.add(JOBS.usageBatch, { events }, jobOptions(`b.${run}.${j}`));
    }
    await waitFor('the 40 good records', async () => (await count(`SELECT count(*) n FROM "UsageRecord" WHERE "requestId" LIKE $1`, [`${run}-good-%`])) === 40, 5_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    const jobs = await Promise.all([0, 1, 2, 3].map((j) => completed(usageQueue, `b.${run}.${j}`, 15_000)));
    expect(jobs.map((j) => j.attemptsStarted)).toEqual([1, 1, 1, 1]);
    expect(await count(`SELECT count(*) n FROM "Quarantine" WHERE kind = 'usage' AND payload LIKE $1`, [`%"requestId":"${run}-bad-%`])).toBe(4);
  });

  it('finds the rows Postgres refuses with 54000 (9 KB and 1 MB index entries) by splitting the batch: the rest commits in the same pass', async () => {
    // The database's own verdict, without the sanitizer's bounds in front: what any row-level error gets.
    const run = `iso54${randomUUID().slice(0, 8)}`;
    const items = Array.from({ length: 20 }, (_, i) => usageEvent(`${run}-good-${i}`, { requestedModel: `${run}-m` }));
    items.splice(3, 0, usageEvent(`${run}-bad-9k`, { requestedModel: incompressible(9 * 1024) }));
    items.splice(15, 0, usageEvent(`${run}-bad-1m`, { requestedModel: incompressible(1024 * 1024) }));
    const ledger = app.get(UsageLedgerRepository);
    let statements = 0;
    const quarantined: { jobId: string; error: string }[] = [];
    const outcomes = await writeIsolating(
      items.map((payload) => ({ jobId: payload.requestId.slice(0, 40), payload })),
      (p) => p as UsageEvent,
      (rows) => {
        statements++;
        return ledger.insertBatch(rows);
      },
      async (item, error) => {
        quarantined.push({ jobId: item.jobId, error });
      },
    );
    expect(outcomes.filter((o) => o === 'written')).toHaveLength(20);
    expect(quarantined.map((q) => q.jobId).sort()).toEqual([`${run}-bad-1m`, `${run}-bad-9k`]);
    for (const q of quarantined) expect(q.error).toMatch(/^54000: index row/);
    expect(statements).toBeLessThanOrEqual(2 * 2 * Math.ceil(Math.log2(items.length)) + 1);
    expect(await count(`SELECT count(*) n FROM "UsageRecord" WHERE "requestId" LIKE $1`, [`${run}-good-%`])).toBe(20);
    expect(await count(`SELECT count(*) n FROM "UsageRecord" WHERE "requestId" LIKE $1`, [`${run}-bad-%`])).toBe(0);

    // The audit chain the same way: the refused event's transaction rolls back, so it never takes a place in the chain.
    const chain = app.get(AuditWriterRepository);
    const events = Array.from({ length: 10 }, (_, i) => sanitizeAuditEvent(auditEvent(`${run}-a-good-${i}`)));
    events.splice(4, 0, { ...sanitizeAuditEvent(auditEvent(`${run}-a-bad`)), target: incompressible(9 * 1024) });
    const rejected: string[] = [];
    await writeIsolating(
      events.map((payload) => ({ jobId: payload.eventId, payload })),
      (p) => p as ChainedFields,
      (rows) => chain.append(rows),
      async (item, error) => {
        rejected.push(`${item.jobId} ${error}`);
      },
    );
    expect(rejected).toEqual([expect.stringMatching(new RegExp(`^${run}-a-bad .*54000`))]);
    expect(await count(`SELECT count(*) n FROM "AuditEvent" WHERE "eventId" LIKE $1`, [`${run}-a-good-%`])).toBe(10);
    const verify = await new AuditLogService(new AuditRepository(app.get(PrismaService))).verify();
    expect(verify).toEqual({ ok: true, checked: await count(`SELECT count(*) n FROM "AuditEvent"`) });
  });

  it('chains every good audit event at once, cuts over-long indexed text instead of losing the event, quarantines refused rows before they get a place; the chain verifies', async () => {
    const run = `isoa${randomUUID().slice(0, 8)}`;
    const good = Array.from({ length: 20 }, (_, i) => auditEvent(`${run}-good-${i}`));
    const longTarget = incompressible(9 * 1024);
    const longActor = incompressible(1024 * 1024);
    const cut = [
      auditEvent(`${run}-cut-target`, { target: longTarget }),
      auditEvent(`${run}-cut-actor`, { actorType: 'key', actorId: longActor, action: `request.denied.${incompressible(9 * 1024)}`, requestId: incompressible(9 * 1024), sourceIp: incompressible(9 * 1024) }),
    ];
    const refused = [
      auditEvent(`${run}-bad-nul`, { after: deepNul(80) }),
      auditEvent(`${run}-bad-time`, { time: '-200000-01-01T00:00:00.000Z' }),
      auditEvent(`${run}-bad-id-${incompressible(1024 * 1024)}`),
    ];
    const events = [...good.slice(0, 5), refused[0], cut[0], ...good.slice(5, 13), refused[1], cut[1], ...good.slice(13), refused[2]];
    const started = Date.now();
    await auditQueue.add(JOBS.auditBatch, { events }, jobOptions(`a.${run}`));
    await waitFor('the 20 good events', async () => (await count(`SELECT count(*) n FROM "AuditEvent" WHERE "eventId" LIKE $1`, [`${run}-good-%`])) === 20, 5_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    const job = await completed(auditQueue, `a.${run}`, 15_000);
    expect(job.attemptsStarted).toBe(1);

    const stored = (await db.query(`SELECT "eventId", "actorId", action, target, "requestId", "sourceIp" FROM "AuditEvent" WHERE "eventId" LIKE $1`, [`${run}-cut-%`])).rows;
    expect(stored).toHaveLength(2);
    const byId = Object.fromEntries(stored.map((r) => [r.eventId, r]));
    expect(byId[`${run}-cut-target`].target).toBe(`${longTarget.slice(0, byId[`${run}-cut-target`].target.indexOf('…'))}…[cut from ${9 * 1024} characters]`);
    expect(byId[`${run}-cut-actor`].actorId.startsWith(longActor.slice(0, 100))).toBe(true);
    expect(byId[`${run}-cut-actor`].actorId).toMatch(/…\[cut from 1048576 characters\]$/);
    for (const r of stored) for (const f of ['actorId', 'action', 'target', 'requestId', 'sourceIp']) expect((r[f] ?? '').length).toBeLessThanOrEqual(MAX_AUDIT_TEXT_CHARS);

    expect(await count(`SELECT count(*) n FROM "AuditEvent" WHERE "eventId" LIKE $1`, [`${run}-bad-%`])).toBe(0);
    const q = await db.query<{ payload: string; error: string }>(`SELECT payload, error FROM "Quarantine" WHERE kind = 'audit' AND payload LIKE $1`, [`%"eventId":"${run}-%`]);
    expect(q.rows).toHaveLength(3);
    const reasonOf = (prefix: string): string => q.rows.find((r) => (JSON.parse(r.payload) as AuditEventInput).eventId.startsWith(prefix))!.error;
    expect(reasonOf(`${run}-bad-nul`)).toMatch(/22P05/);
    expect(reasonOf(`${run}-bad-time`)).toMatch(/invalid payload: time/);
    expect(reasonOf(`${run}-bad-id-`)).toMatch(/invalid payload: eventId/);

    // What GET /admin/v1/audit/verify runs: every link of the chain, the cut events included.
    const verify = await new AuditLogService(new AuditRepository(app.get(PrismaService))).verify();
    expect(verify).toEqual({ ok: true, checked: await count(`SELECT count(*) n FROM "AuditEvent"`) });
  });
});
