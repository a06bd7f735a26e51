import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { JOBS, QUEUES } from '@llmp/common';
import { bullConnection, bullPrefix, eventJobOptions } from '@llmp/infra';
import { chatCompletion, FakeUpstream } from '../support/fake-upstream';
import { useIsolatedDatabase } from '../support/isolated-database';
import { fetchJson } from '../support/http-json';
import { ledgerRows, spawnAdmin, spawnApi, startWorkers, stopPlanes, waitFor, writeConfig, type ApiProcess } from '../production/production.fixture';
import { faultCase } from './fault-report';

/** No single call of this spec waits longer: a hung call fails as itself, not as the case's timeout. */
const CALL_TIMEOUT_MS = 20_000;
const MAX_MODEL_CHARS = 256;

/** Random text Postgres cannot compress: as a model name it made an index entry over btree's limit (54000). */
function incompressible(chars: number): string {
  return randomBytes(Math.ceil((chars * 3) / 4) + 3).toString('base64url').slice(0, chars);
}

const POISON = { '9 KB': incompressible(9 * 1024), '1 MB': incompressible(1024 * 1024) } as const;

type Json = Record<string, unknown>;

/** One data plane surface: how a request names its model, and how its 400 envelope looks. */
interface Surface {
  name: string;
  /** Path and body of a request for `model`. */
  request(model: string): { path: string; body: Json };
  /** The refusal, in this surface's envelope, naming the model field. */
  isModelRefusal(status: number, body: Json): boolean;
  /** Whether a legitimate request here is recorded in the ledger (count_tokens is answered without one). */
  ledgered: boolean;
}

const openAiRefusal = (status: number, body: Json): boolean => {
  const e = body.error as Json | undefined;
  return status === 400 && e?.type === 'invalid_request_error' && e?.param === 'model' && /model must be at most 256 characters/.test(String(e?.message));
};
const anthropicRefusal = (status: number, body: Json): boolean => {
  const e = body.error as Json | undefined;
  return status === 400 && body.type === 'error' && e?.type === 'invalid_request_error' && /model must be at most 256 characters/.test(String(e?.message));
};
const geminiRefusal = (status: number, body: Json): boolean => {
  const e = body.error as { code?: unknown; status?: unknown; message?: unknown; details?: { reason?: unknown }[] } | undefined;
  return status === 400 && e?.code === 400 && e?.status === 'INVALID_ARGUMENT' && e?.details?.[0]?.reason === 'invalid_request_error' && /model must be at most 256/.test(String(e?.message));
};
const ollamaRefusal = (status: number, body: Json): boolean => status === 400 && /model must be at most 256 characters/.test(String(body.error));

const messages = [{ role: 'user', content: 'hi' }];
const SURFACES: Surface[] = [
  { name: 'openai chat', ledgered: true, isModelRefusal: openAiRefusal, request: (model) => ({ path: '/v1/chat/completions', body: { model, messages } }) },
  { name: 'openai completions', ledgered: true, isModelRefusal: openAiRefusal, request: (model) => ({ path: '/v1/completions', body: { model, prompt: 'hi' } }) },
  { name: 'openai embeddings', ledgered: true, isModelRefusal: openAiRefusal, request: (model) => ({ path: '/v1/embeddings', body: { model, input: 'hi' } }) },
  { name: 'openai responses', ledgered: true, isModelRefusal: openAiRefusal, request: (model) => ({ path: '/v1/responses', body: { model, input: 'hi' } }) },
  { name: 'anthropic messages', ledgered: true, isModelRefusal: anthropicRefusal, request: (model) => ({ path: '/v1/messages', body: { model, max_tokens: 20, messages } }) },
  { name: 'anthropic count_tokens', ledgered: false, isModelRefusal: anthropicRefusal, request: (model) => ({ path: '/v1/messages/count_tokens', body: { model, messages } }) },
  {
    name: 'gemini path model',
    ledgered: true,
    isModelRefusal: geminiRefusal,
    request: (model) => ({ path: `/v1beta/models/${encodeURIComponent(model)}:generateContent`, body: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] } }),
  },
  { name: 'ollama chat', ledgered: true, isModelRefusal: ollamaRefusal, request: (model) => ({ path: '/api/chat', body: { model, messages, stream: false } }) },
  { name: 'ollama generate', ledgered: true, isModelRefusal: ollamaRefusal, request: (model) => ({ path: '/api/generate', body: { model, prompt: 'hi', stream: false } }) },
];

/**
 * Issue 18 §3: one hostile request must never keep other usage out of the ledger. Over HTTP against the built planes
 * (real Postgres, Redis, BullMQ workers): model names of 9 KB and 1 MB, keyed and keyless, on every surface, interleaved
 * with legitimate requests whose records must all land. Own database: the quarantine and the audit chain are checked
 * whole.
 */
describe('attack: poisoning the ledger with oversized client strings', () => {
  const upstream = new FakeUpstream();
  const master = `llmp_master_${randomBytes(16).toString('hex')}`;
  let api: ApiProcess;
  let admin: ApiProcess;
  let workers: INestApplicationContext | undefined;
  let dropDatabase: () => Promise<void>;
  let clientKey: string;

  const call = async (path: string, body: Json | string, headers: Record<string, string>) => {
    const res = await fetchJson(`${api.url}${path}`, { headers, body, timeoutMs: CALL_TIMEOUT_MS });
    // Not JSON: {} (checked by the caller through the status).
    return { ...res, json: (res.json ?? {}) as Json };
  };

  const query = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> => {
    const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await c.connect();
    try {
      return (await c.query<T>(sql, params)).rows;
    } finally {
      await c.end();
    }
  };

  /** Ledger rows missing for these ids (waits for the workers first). */
  const missingLedger = async (ids: string[]): Promise<number> => {
    await waitFor('ledger rows', async () => (await ledgerRows(ids)).length >= ids.length, 20_000).catch(() => undefined);
    const found = new Set((await ledgerRows(ids)).map((r) => r.requestId.split('~')[0]));
    return ids.filter((id) => !found.has(id)).length;
  };

  /** Audit events missing for these request ids (allowlist denials). */
  const missingAudit = async (ids: string[]): Promise<number> => {
    const found = async () => new Set((await query<{ id: string }>(`SELECT split_part("requestId", '~', 1) id FROM "AuditEvent" WHERE split_part("requestId", '~', 1) = ANY($1)`, [ids])).map((r) => r.id));
    await waitFor('audit events', async () => (await found()).size >= ids.length, 20_000).catch(() => undefined);
    const seen = await found();
    return ids.filter((id) => !seen.has(id)).length;
  };

  beforeAll(async () => {
    dropDatabase = await useIsolatedDatabase();
    const base = await upstream.start();
    upstream.behavior = (req) =>
      req.url.endsWith('/embeddings')
        ? { json: { object: 'list', model: req.body.model, data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }], usage: { prompt_tokens: 2, total_tokens: 2 } } }
        : { json: chatCompletion(req, 'fine') };
    const config = writeConfig(`
providers:
  - { name: a, type: openai, baseUrl: ${base}, apiKey: sk-upstream }
models:
  - name: m
    targets: [{ provider: a, model: up-m }]
  - name: other
    targets: [{ provider: a, model: up-other }]
auth: { mode: required }
server: { bodyLimitBytes: 4194304 }
`);
    const env = { LLMP_CONFIG: config, LLMP_MASTER_KEY: master, LLMP_DATA_DIR: mkdtempSync(join(tmpdir(), 'llmp-poison-')) };
    [admin, api] = await Promise.all([spawnAdmin(env), spawnApi(env)]);
    workers = await startWorkers();
    const res = await fetch(`${admin.url}/admin/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${master}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'poison-client', allowedModels: ['m'] }),
    });
    expect(res.status).toBe(201);
    clientKey = ((await res.json()) as { key: string }).key;
  }, 120_000);

  afterAll(async () => {
    await stopPlanes(workers, api, admin);
    await upstream.close();
    await dropDatabase?.();
  });

  faultCase('attack', '9 KB and 1 MB model names are a 400 in the caller envelope on every surface, keyed and keyless; interleaved legitimate requests (served, keyless, not allowed) all land in the ledger and audit log', async (ctx) => {
    const keyed = (): Record<string, string> => ({ authorization: `Bearer ${clientKey}` });
    const ledgerIds: string[] = [];
    const deniedIds: string[] = [];
    /**
     * A legitimate request next to the hostile ones: served (keyed, allowed model), denied for its key (keyless: 401,
     * ledger only, since repeated auth failures may be aggregated in the audit log) or denied by the allowlist (keyed,
     * model not allowed: ledger and an audit event).
     */
    const legit = async (surface: Surface, kind: 'served' | 'keyless' | 'not allowed'): Promise<void> => {
      const id = `legit-${randomBytes(6).toString('hex')}`;
      const { path, body } = surface.request(kind === 'not allowed' ? 'other' : 'm');
      const res = await call(path, body, { ...(kind === 'keyless' ? {} : keyed()), 'x-request-id': id });
      const expected = { served: 200, keyless: 401, 'not allowed': 400 }[kind];
      expect({ surface: surface.name, kind, status: res.status }).toEqual({ surface: surface.name, kind, status: expected });
      if (!surface.ledgered) return;
      ledgerIds.push(id);
      if (kind === 'not allowed') deniedIds.push(id);
    };

    for (const surface of SURFACES) {
      for (const [size, model] of Object.entries(POISON)) {
        for (const withKey of [false, true]) {
          ctx.step(`${surface.name} ${size} ${withKey ? 'keyed' : 'keyless'}`);
          await legit(surface, withKey ? 'served' : 'keyless');
          const { path, body } = surface.request(model);
          if (surface.name === 'gemini path model' && size === '1 MB') {
            // A 1 MB request line is over Node's 16 KB header limit: refused by the HTTP parser before llmp sees it.
            // The server answers 431 and closes; a client still writing the line may see the reset before the answer.
            const res = await call(path, body, withKey ? keyed() : {}).catch((e: Error) => ({ status: -1, json: {}, text: e.message }));
            const refused = res.status === 431 ? res.text.includes('request_too_large') : res.status === -1;
            expect({ surface: surface.name, size, refused }).toEqual({ surface: surface.name, size, refused: true });
            continue;
          }
          const res = await call(path, body, { ...(withKey ? keyed() : {}), 'x-request-id': `poison-${randomBytes(6).toString('hex')}` });
          expect({ surface: surface.name, size, withKey, refused: surface.isModelRefusal(res.status, res.json), got: res.status === 400 ? 'ok' : res.text.slice(0, 300) })
            .toEqual({ surface: surface.name, size, withKey, refused: true, got: 'ok' });
        }
      }
      await legit(surface, 'not allowed');
    }

    // The boundary: a keyless 256-character model passes ingress, is denied, and its record lands (a random name of
    // that length indexes fine).
    const edgeId = `edge-${randomBytes(6).toString('hex')}`;
    const edge = await call('/v1/chat/completions', { model: incompressible(MAX_MODEL_CHARS), messages }, { 'x-request-id': edgeId });
    expect(edge.status).toBe(401);
    ledgerIds.push(edgeId);
    const over = await call('/v1/chat/completions', { model: incompressible(MAX_MODEL_CHARS + 1), messages }, {});
    expect(openAiRefusal(over.status, over.json)).toBe(true);

    // Other client strings that reach records: a 9 KB x-request-id is replaced by a fresh one, and 9 KB `user` /
    // `metadata` fields go upstream only; the record lands.
    const longId = await call('/v1/chat/completions', { model: 'm', messages, user: POISON['9 KB'] }, { ...keyed(), 'x-request-id': POISON['9 KB'] });
    expect(longId.status).toBe(200);
    const freshId = longId.headers.get('x-request-id')!;
    expect(freshId.length).toBeLessThanOrEqual(128);
    ledgerIds.push(freshId);
    const meta = await call('/v1/messages', { model: 'm', max_tokens: 5, messages, metadata: { user_id: POISON['9 KB'] } }, { ...keyed(), 'x-request-id': `meta-${randomBytes(6).toString('hex')}` });
    expect(meta.status).toBe(200);
    ledgerIds.push(meta.headers.get('x-request-id')!);

    ctx.step('ledger');
    const lostUsage = await missingLedger(ledgerIds);
    ctx.lost(lostUsage, 'legitimate ledger records');
    const lostAudit = await missingAudit(deniedIds);
    ctx.lost(lostAudit, 'denial audit events');
    expect({ lostUsage, lostAudit }).toEqual({ lostUsage: 0, lostAudit: 0 });

    // Nothing hostile reached the queues: no record is longer than the bound, nothing was quarantined, and the audit
    // chain verifies.
    const longest = await query<{ n: number }>(`SELECT coalesce(max(length("requestedModel")), 0)::int n FROM "UsageRecord"`);
    expect(longest[0].n).toBe(MAX_MODEL_CHARS);
    expect(await query(`SELECT kind, error FROM "Quarantine"`)).toEqual([]);
    const verify = await fetch(`${admin.url}/admin/v1/audit/verify`, { headers: { authorization: `Bearer ${master}` } });
    const verdict = (await verify.json()) as { ok: boolean; checked: number };
    expect(verify.status).toBe(200);
    expect(verdict.ok).toBe(true);
    expect(verdict.checked).toBeGreaterThanOrEqual(deniedIds.length);
    ctx.note(`${ledgerIds.length} legitimate records and ${deniedIds.length} denial events landed around ${SURFACES.length * 4} hostile requests`);
  }, 180_000);
  faultCase('attack', 'poison that bypasses ingress (enqueued straight into the usage and audit queues) is quarantined row by row; interleaved HTTP records land at once, the chain verifies', async (ctx) => {
    const run = `byp${randomBytes(4).toString('hex')}`;
    const base = { keyId: null, teamId: null, resolvedModel: null, provider: null, endpoint: 'chat', status: 401, errorCode: 'invalid_api_key', promptTokens: 0, completionTokens: 0, totalTokens: 0, costUsd: '0', priced: false, estimated: false, latencyMs: 1, ttftMs: null, streamed: false, attempts: [], createdAt: new Date().toISOString() };
    let nul: unknown = 'x\u0000y';
    for (let i = 0; i < 80; i++) nul = { d: nul };
    const usagePoison = [
      { ...base, requestId: `${run}-u-9k`, requestedModel: POISON['9 KB'] },
      { ...base, requestId: `${run}-u-1m`, requestedModel: POISON['1 MB'] },
      // Refused by Postgres itself (numeric overflow 22003, NUL in jsonb 22P05): found by splitting the batch.
      { ...base, requestId: `${run}-u-cost`, requestedModel: 'm', costUsd: '123456789012.5' },
      { ...base, requestId: `${run}-u-nul`, requestedModel: 'm', attempts: [nul] },
    ];
    const auditBase = { time: new Date().toISOString(), actorType: 'anonymous', actorId: null, action: 'request.denied.invalid_api_key', before: null, requestId: null, sourceIp: '127.0.0.1' };
    const auditPoison = [
      { ...auditBase, eventId: `${run}-a-9k`, target: POISON['9 KB'], after: null },
      { ...auditBase, eventId: `${run}-a-nul`, target: 'm', after: nul },
    ];
    const connection = new Redis(bullConnection(process.env.REDIS_URL!));
    const prefix = bullPrefix(process.env.LLMP_REDIS_PREFIX!);
    const usageQueue = new Queue(QUEUES.usage, { connection, prefix });
    const auditQueue = new Queue(QUEUES.audit, { connection, prefix });
    try {
      const keyed = { authorization: `Bearer ${clientKey}` };
      const ids: string[] = [];
      const denied: string[] = [];
      const started = Date.now();
      for (let i = 0; i < 20; i++) {
        if (i === 3) await usageQueue.add(JOBS.usageBatch, { events: usagePoison }, { ...eventJobOptions(8), removeOnComplete: false, jobId: `u.${run}` });
        if (i === 7) await auditQueue.add(JOBS.auditBatch, { events: auditPoison }, { ...eventJobOptions(8), removeOnComplete: false, jobId: `a.${run}` });
        const id = `${run}-h-${i}`;
        const kind = i % 3;
        const res = await call('/v1/chat/completions', { model: kind === 2 ? 'other' : 'm', messages }, { ...(kind === 1 ? {} : keyed), 'x-request-id': id });
        expect(res.status).toBe([200, 401, 400][kind]);
        ids.push(id);
        if (kind === 2) denied.push(id);
      }
      ctx.step('ledger');
      const lostUsage = await missingLedger(ids);
      const landedMs = Date.now() - started;
      ctx.lost(lostUsage, 'legitimate ledger records');
      const lostAudit = await missingAudit(denied);
      ctx.lost(lostAudit, 'denial audit events');
      expect({ lostUsage, lostAudit }).toEqual({ lostUsage: 0, lostAudit: 0 });

      ctx.step('poison jobs');
      for (const [queue, jobId] of [[usageQueue, `u.${run}`], [auditQueue, `a.${run}`]] as const) {
        await waitFor(`${jobId} completed`, async () => (await queue.getJobState(jobId)) === 'completed', 20_000);
        // Completed on its first attempt: no whole-job retry with backoff.
        expect({ jobId, attemptsStarted: (await queue.getJob(jobId))?.attemptsStarted }).toEqual({ jobId, attemptsStarted: 1 });
      }
      const quarantined = await query<{ kind: string; error: string; payload: string }>(`SELECT kind, error, payload FROM "Quarantine" WHERE payload LIKE $1`, [`%${run}-%`]);
      const reasons = Object.fromEntries(quarantined.map((q) => [(JSON.parse(q.payload) as { requestId?: string; eventId?: string }).eventId ?? (JSON.parse(q.payload) as { requestId: string }).requestId, q.error]));
      expect(Object.keys(reasons).sort()).toEqual([`${run}-a-nul`, `${run}-u-1m`, `${run}-u-9k`, `${run}-u-cost`, `${run}-u-nul`]);
      expect(reasons[`${run}-u-9k`]).toMatch(/requestedModel is longer than 512/);
      expect(reasons[`${run}-u-cost`]).toMatch(/22003/);
      expect(reasons[`${run}-u-nul`]).toMatch(/22P05/);
      expect(reasons[`${run}-a-nul`]).toMatch(/22P05/);
      // The over-long audit target is cut, not lost.
      const cut = await query<{ target: string }>(`SELECT target FROM "AuditEvent" WHERE "eventId" = $1`, [`${run}-a-9k`]);
      expect(cut[0]?.target).toMatch(/…\[cut from 9216 characters\]$/);
      const verify = await fetch(`${admin.url}/admin/v1/audit/verify`, { headers: { authorization: `Bearer ${master}` } });
      expect(((await verify.json()) as { ok: boolean }).ok).toBe(true);
      ctx.note(`20 HTTP records landed ${landedMs} ms after the first request, next to 4 usage and 2 audit poison rows`);
    } finally {
      await usageQueue.close();
      await auditQueue.close();
      connection.disconnect();
    }
  }, 120_000);
});
