import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { call, master, startAdminApp } from '../../apps/admin/test/admin-app.fixture';
import { freePort, sleep, spawnApi, waitFor, writeConfig, type ApiProcess } from '../production/production.fixture';
import { registerCanaries } from '../support/canary';
import { PrivatePostgres } from '../support/private-postgres';
import { spawnWorker, type WorkerProcess } from '../support/worker-process';
import { faultCase } from './fault-report';
import { accountLedger, auditEventsFor } from './ledger-accounting';

/**
 * Postgres stopped (`pg_ctl stop -m immediate`) and restarted under a built data plane and a built worker, on a
 * cluster of the test's own: the data plane keeps answering from its caches, usage and audit wait in the queue, and
 * once Postgres is back every record lands exactly once.
 */
describe('platform: Postgres stopped and restarted', () => {
  const cluster = new PrivatePostgres(0);
  let databaseUrl: string;
  let admin: NestFastifyApplication | null = null;
  let api: ApiProcess | null = null;
  let worker: WorkerProcess | null = null;
  const savedDatabaseUrl = process.env.DATABASE_URL;

  beforeAll(async () => {
    (cluster as { port: number }).port = await freePort();
    databaseUrl = await cluster.create('llmp');
    process.env.DATABASE_URL = databaseUrl;
    admin = await startAdminApp();
    const config = writeConfig(`
providers: [{ name: mock, type: mock }]
models:
  - { name: m, targets: [{ provider: mock, model: mock-small }], pricing: { input: 1, output: 1 } }
  - { name: other, targets: [{ provider: mock, model: mock-small }] }
`);
    api = await spawnApi({ LLMP_CONFIG: config, DATABASE_URL: databaseUrl, LLMP_LOG_LEVEL: 'warn' });
    worker = spawnWorker({ DATABASE_URL: databaseUrl });
  }, 90_000);

  afterAll(async () => {
    process.env.DATABASE_URL = savedDatabaseUrl;
    if (api && api.child.exitCode === null) api.child.kill('SIGKILL');
    await worker?.stop('SIGKILL');
    await admin?.close().catch(() => undefined);
    await cluster.destroy();
  });

  async function ask(key: string, model: string, requestId: string): Promise<Response> {
    return fetch(`${api!.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'x-request-id': requestId },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
  }

  faultCase('platform', 'Postgres stopped and restarted: answers from caches, every usage record and audit event lands', async (ctx) => {
    const created = await call(admin!, 'POST', '/admin/v1/keys', { headers: master, body: { name: 'pg-stop', allowedModels: ['m'], rpm: 1000 } });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    registerCanaries([key]);
    const id = (tag: string): string => `pgstop-${tag}-${randomUUID()}`;

    const before = [id('warm'), id('warm')];
    for (const rid of before) expect((await ask(key, 'm', rid)).status).toBe(200);
    await waitFor('the warm-up records', async () => (await accountLedger(before, 0)).missing === 0);

    cluster.stop();
    const served = Array.from({ length: 12 }, () => id('down'));
    const denied = Array.from({ length: 3 }, () => id('denied'));
    const answers = await Promise.all([...served.map((rid) => ask(key, 'm', rid)), ...denied.map((rid) => ask(key, 'other', rid))]);
    expect(answers.slice(0, served.length).map((r) => r.status)).toEqual(served.map(() => 200));
    // A policy denial is still a clear 400 (and an audit event) while Postgres is away.
    const denials = answers.slice(served.length);
    expect(denials.map((r) => r.status)).toEqual(denied.map(() => 400));
    expect(((await denials[0].json()) as { error: { code: string } }).error.code).toBe('model_not_allowed');
    // A key this replica has never seen cannot be checked: a retryable 503, not a 500 (and not a 401, it may be valid).
    const unknownKey = `llmp_${'A'.repeat(43)}`;
    const unknownId = id('unknown');
    const unknown = await ask(unknownKey, 'm', unknownId);
    expect(unknown.status).toBe(503);
    expect(unknown.headers.get('retry-after')).toBeTruthy();
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('keys_unavailable');
    expect((await fetch(`${api!.url}/health/live`)).status).toBe(200);
    await sleep(1000);

    cluster.start();
    const after = [id('after'), id('after')];
    for (const rid of after) expect((await ask(key, 'm', rid)).status).toBe(200);
    // Nothing about the unknown key was cached during the outage: now it is simply invalid.
    after.push(id('unknown'));
    expect((await ask(unknownKey, 'm', after[after.length - 1])).status).toBe(401);

    const all = [...before, ...served, ...denied, unknownId, ...after];
    // Jobs that failed while Postgres was away retry with backoff (1 s, 2 s, 4 s...), so allow for a few rounds.
    const ledger = await accountLedger(all, 60_000);
    await waitFor('every denial audit event', async () => (await auditEventsFor(denied)).length >= denied.length, 30_000).catch(() => undefined);
    const audited = new Set((await auditEventsFor(denied)).map((e) => e.requestId));
    ctx.lost(ledger.missing, 'usage records');
    ctx.lost(denied.filter((rid) => !audited.has(rid)).length, 'audit events');
    ctx.note(`${served.length + denied.length} requests during the outage`);
    // Exactly once each: at-least-once delivery through retries never doubles a row.
    expect([ledger.missing, ledger.duplicated]).toEqual([0, 0]);
    expect([...audited].sort()).toEqual([...denied].sort());
    const statuses = [...ledger.rows.values()].map((rows) => rows[0].status);
    expect(statuses.filter((st) => st === 200)).toHaveLength(before.length + served.length + after.length - 1);
    expect(statuses.filter((st) => st === 400)).toHaveLength(denied.length);
    expect(ledger.rows.get(unknownId)![0].status).toBe(503);
    // The control plane's own audit trail (the key's creation) survived the crash too, and the chain still verifies.
    const verify = await call(admin!, 'GET', '/admin/v1/audit/verify', { headers: master });
    expect(verify.status).toBe(200);
    expect(verify.body.ok).toBe(true);
    expect(verify.body.checked).toBeGreaterThanOrEqual(denied.length + 1);
  }, 120_000);
});
