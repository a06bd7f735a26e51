import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import pg from 'pg';
import { type Behavior, FakeUpstream, type RecordedRequest } from '../support/fake-upstream';
import { useIsolatedDatabase } from '../support/isolated-database';
import { fetchJson } from '../support/http-json';
import { spawnAdmin, spawnApi, startWorkers, stopPlanes, waitFor, writeConfig, type ApiProcess } from '../production/production.fixture';
import { FakeProvider, type ProviderReply } from '../surfaces/fake-provider.server';
import { faultCase } from './fault-report';

const CALL_TIMEOUT_MS = 20_000;
/** $100 per million output tokens: one output token costs $0.0001, so a $0.01 budget pays for 100 of them. */
const OUTPUT_USD_PER_TOKEN = 100 / 1_000_000;

type Json = Record<string, unknown>;

/** An honest OpenAI upstream that writes every choice to its full limit: what a reservation must pay for. */
function fullLength(req: RecordedRequest): Behavior {
  const count = (v: unknown): number => (typeof v === 'number' ? v : 1);
  // Completions' best_of generates (and bills) that many, returning n.
  const n = Math.max(count(req.body.n), count(req.body.best_of));
  const perChoice = Number(req.body.max_tokens ?? req.body.max_completion_tokens ?? 0);
  return {
    json: {
      id: 'chatcmpl-full', object: 'chat.completion', created: 1_700_000_000, model: req.body.model,
      choices: Array.from({ length: n }, (_, index) => ({ index, message: { role: 'assistant', content: 'x' }, finish_reason: 'length' })),
      usage: { prompt_tokens: 3, completion_tokens: n * perChoice, total_tokens: 3 + n * perChoice },
    },
  };
}

/** A short answer in the dialect of the provider the request went to (by its path). */
function providerReply(req: RecordedRequest): ProviderReply {
  if (req.url.startsWith('/v1/messages')) {
    return { json: { id: 'msg_1', type: 'message', role: 'assistant', model: req.body.model, content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', usage: { input_tokens: 3, output_tokens: 1 } } };
  }
  if (req.url.includes(':generateContent')) {
    return { json: { candidates: [{ index: 0, content: { role: 'model', parts: [{ text: 'ok' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1, totalTokenCount: 4 } } };
  }
  return { json: { model: req.body.model, created_at: new Date().toISOString(), message: { role: 'assistant', content: 'ok' }, done: true, done_reason: 'stop', prompt_eval_count: 3, eval_count: 1 } };
}

/**
 * Output accounting as an attacker probes it, against the built planes with real Postgres and Redis: every choice
 * and every output field counts, on every surface.
 */
describe('attack: output accounting', () => {
  const upstream = new FakeUpstream();
  const provider = new FakeProvider();
  const master = `llmp_master_${randomBytes(16).toString('hex')}`;
  let api: ApiProcess;
  let admin: ApiProcess;
  let workers: INestApplicationContext | undefined;
  let dropDatabase: () => Promise<void>;
  let db: pg.Client;

  const newKey = async (policy: Json): Promise<{ id: string; key: string }> => {
    const res = await fetch(`${admin.url}/admin/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${master}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `k-${randomBytes(3).toString('hex')}`, ...policy }),
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    const json = (await res.json()) as { id: string; key: string };
    expect(res.status).toBe(201);
    return json;
  };

  /** One data plane call; `headers` may carry the key in the surface's own header. */
  const send = async (key: string, path: string, body: Json, headers: Record<string, string> = {}) => {
    const res = await fetchJson(`${api.url}${path}`, { headers: { authorization: `Bearer ${key}`, ...headers }, body, timeoutMs: CALL_TIMEOUT_MS });
    // NDJSON or SSE: {} (callers here ask for JSON).
    return { ...res, json: (res.json ?? {}) as Json };
  };

  const messages = [{ role: 'user', content: 'hi' }];
  const gemini = (model: string) => `/v1beta/models/${model}:generateContent`;

  beforeAll(async () => {
    dropDatabase = await useIsolatedDatabase();
    db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    const up = await upstream.start();
    const prov = await provider.start();
    upstream.behavior = fullLength;
    provider.reply = providerReply;
    const config = writeConfig(`
providers:
  - { name: oa, type: openai, baseUrl: "${up}" }
  - { name: an, type: anthropic, baseUrl: "${prov}" }
  - { name: ge, type: gemini, baseUrl: "${prov}" }
  - { name: ol, type: ollama, baseUrl: "${prov}" }
models:
  - name: m
    targets: [{ provider: oa, model: up-m }]
    pricing: { input: 1, output: 100 }
    maxOutputTokens: 2000
  - { name: m-anthropic, targets: [{ provider: an, model: up-an }] }
  - { name: m-gemini, targets: [{ provider: ge, model: up-ge }] }
  - { name: m-ollama, targets: [{ provider: ol, model: up-ol }] }
auth: { mode: required }
limits: { onRedisDown: local, minOutputTokens: 256 }
`);
    const env = { LLMP_CONFIG: config, LLMP_MASTER_KEY: master, LLMP_DATA_DIR: mkdtempSync(join(tmpdir(), 'llmp-output-')) };
    [admin, api] = await Promise.all([spawnAdmin(env), spawnApi(env)]);
    workers = await startWorkers();
  }, 90_000);

  afterAll(async () => {
    await stopPlanes(workers, api, admin);
    await Promise.all([upstream.close(), provider.close()]);
    await db?.end();
    await dropDatabase?.();
  });

  const ledgerOf = async (keyId: string, expected: number): Promise<{ endpoint: string; status: number; costUsd: string; errorCode: string | null }[]> => {
    const rows = async () => (await db.query('SELECT endpoint, status, "costUsd", "errorCode" FROM "UsageRecord" WHERE "keyId" = $1', [keyId])).rows;
    await waitFor(`${expected} ledger rows of ${keyId}`, async () => (await rows()).length >= expected, 15_000).catch(() => undefined);
    return rows();
  };

  faultCase('attack', 'a $0.01 budget is not overspent by a burst asking for many choices (n, candidateCount, best_of)', async (ctx) => {
    const { id, key } = await newKey({ allowedModels: ['m'], budgetUsd: 0.01, budgetPeriod: 'total' });
    // A free request first, so the burst meets a budget counter already built from the (empty) ledger.
    expect((await send(key, '/v1/messages/count_tokens', { model: 'm', messages })).status).toBe(200);
    // 20 output tokens x 4 choices = 80 tokens = $0.008 each: only one fits the budget, whatever the field.
    const burst = [
      ...Array.from({ length: 8 }, () => send(key, '/v1/chat/completions', { model: 'm', messages, n: 4, max_tokens: 20 })),
      ...Array.from({ length: 8 }, () => send(key, gemini('m'), { contents: [{ parts: [{ text: 'hi' }] }], generationConfig: { candidateCount: 4, maxOutputTokens: 20 } })),
      ...Array.from({ length: 4 }, () => send(key, '/v1/completions', { model: 'm', prompt: 'hi', n: 1, best_of: 4, max_tokens: 20 })),
      // No client limit: the model's 2000 x 4 choices would not fit, and what fits is below minOutputTokens.
      ...Array.from({ length: 4 }, () => send(key, '/v1/chat/completions', { model: 'm', messages, n: 4 })),
    ];
    const results = await Promise.all(burst);
    const admitted = results.filter((r) => r.status === 200).length;
    // Refusals only: over budget (429), never fitting (400), or a budget that cannot be checked right now (503).
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((st) => ![200, 400, 429, 503].includes(st))).toEqual([]);
    const rows = (await ledgerOf(id, burst.length + 1)).filter((r) => r.endpoint !== 'count_tokens');
    ctx.lost(Math.max(0, burst.length - rows.length), 'ledger rows');
    const spent = rows.reduce((s, r) => s + Number(r.costUsd), 0);
    ctx.note(`${admitted} of ${burst.length} admitted (statuses ${[...new Set(statuses)].join('/')}), ledger total $${spent.toFixed(6)} of a $0.01 budget`);
    expect(admitted).toBeGreaterThanOrEqual(1);
    expect(spent).toBeLessThanOrEqual(0.01);
    // What the upstream was asked for is what was reserved: each admitted call wrote 4 x 20 tokens.
    expect(spent).toBeGreaterThanOrEqual(admitted * 80 * OUTPUT_USD_PER_TOKEN);
  });

  faultCase('attack', 'more choices than maxChoices is a 400 naming the field, in every surface\'s envelope', async () => {
    const { key } = await newKey({ allowedModels: ['m'], maxChoices: 2 });
    const { key: defaultKey } = await newKey({ allowedModels: ['m'] });
    const before = upstream.requests.length;

    const chat = await send(key, '/v1/chat/completions', { model: 'm', messages, n: 3 });
    expect(chat.status).toBe(400);
    expect(chat.json).toMatchObject({ error: { type: 'invalid_request_error', param: 'n' } });
    const chatDefault = await send(defaultKey, '/v1/chat/completions', { model: 'm', messages, n: 9, max_tokens: 5 });
    expect(chatDefault.json).toMatchObject({ error: { param: 'n' } });
    expect(String((chatDefault.json.error as Json).message)).toContain('at most 8');
    const bestOf = await send(key, '/v1/completions', { model: 'm', prompt: 'hi', best_of: 3 });
    expect(bestOf.status).toBe(400);
    expect(bestOf.json).toMatchObject({ error: { param: 'best_of' } });
    const gem = await send(key, gemini('m'), { contents: [{ parts: [{ text: 'hi' }] }], generationConfig: { candidateCount: 3 } });
    expect(gem.status).toBe(400);
    expect(gem.json).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
    expect(String((gem.json.error as Json).message)).toContain('generationConfig.candidateCount');
    // Surfaces without a choice field refuse `n` by name instead of dropping it.
    const ant = await send(key, '/v1/messages', { model: 'm', max_tokens: 5, messages, n: 3 });
    expect(ant.status).toBe(400);
    expect(ant.json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(String((ant.json.error as Json).message)).toContain('`n`');
    const resp = await send(key, '/v1/responses', { model: 'm', input: 'hi', n: 3 });
    expect(resp.json).toMatchObject({ error: { param: 'n' } });
    const oll = await send(key, '/api/chat', { model: 'm', messages, stream: false, n: 3 });
    expect(oll.status).toBe(400);
    expect(String(oll.json.error)).toContain('`n`');

    expect(upstream.requests.length).toBe(before);
    // Within the limit it passes, and the upstream sees the choices it was asked for.
    expect((await send(key, '/v1/chat/completions', { model: 'm', messages, n: 2, max_tokens: 5 })).status).toBe(200);
    expect(upstream.requests.at(-1)!.body).toMatchObject({ n: 2, max_tokens: 5 });
  });

  faultCase('attack', 'output-limit fields of another surface are refused by name, never ignored', async () => {
    const { key } = await newKey({ allowedModels: ['m*'], perModelMaxTokens: { '*': 50 } });
    const before = upstream.requests.length + provider.requests.length;
    const cases: [string, Json, string][] = [
      ['/v1/chat/completions', { model: 'm', messages, max_output_tokens: 1 }, 'max_output_tokens'],
      ['/v1/chat/completions', { model: 'm', messages, num_predict: -1 }, 'num_predict'],
      ['/v1/chat/completions', { model: 'm', messages, n_predict: -1 }, 'n_predict'],
      ['/v1/chat/completions', { model: 'm', messages, best_of: 4 }, 'best_of'],
      ['/v1/chat/completions', { model: 'm', messages, max_new_tokens: 100000 }, 'max_new_tokens'],
      ['/v1/chat/completions', { model: 'm', messages, max_length: 100000 }, 'max_length'],
      ['/v1/chat/completions', { model: 'm', messages, maxOutputTokens: 100000 }, 'maxOutputTokens'],
      ['/v1/chat/completions', { model: 'm', messages, candidateCount: 8 }, 'candidateCount'],
      ['/v1/chat/completions', { model: 'm', messages, num_return_sequences: 8 }, 'num_return_sequences'],
      ['/v1/chat/completions', { model: 'm', messages, generationConfig: { maxOutputTokens: 1 } }, 'generationConfig.maxOutputTokens'],
      ['/v1/chat/completions', { model: 'm', messages, options: { num_predict: -1 } }, 'options.num_predict'],
      ['/v1/completions', { model: 'm', prompt: 'hi', max_completion_tokens: 1 }, 'max_completion_tokens'],
      ['/v1/responses', { model: 'm', input: 'hi', max_tokens: 1 }, 'max_tokens'],
      ['/v1/messages', { model: 'm-anthropic', max_tokens: 5, max_completion_tokens: 1, messages }, 'max_completion_tokens'],
      [gemini('m-gemini'), { contents: [{ parts: [{ text: 'hi' }] }], generationConfig: { max_tokens: 1 } }, 'generationConfig.max_tokens'],
      ['/api/chat', { model: 'm-ollama', messages, stream: false, max_tokens: 1 }, 'max_tokens'],
      ['/api/generate', { model: 'm-ollama', prompt: 'hi', stream: false, num_predict: 1 }, 'num_predict'],
    ];
    for (const [path, body, field] of cases) {
      const res = await send(key, path, body);
      expect({ path, field, status: res.status }).toEqual({ path, field, status: 400 });
      expect({ path, field, named: res.text.includes(field) }).toEqual({ path, field, named: true });
    }
    expect(upstream.requests.length + provider.requests.length).toBe(before);
  });

  faultCase('attack', 'the upstream always receives the clamped output limit in its own field, on every surface', async () => {
    const { key } = await newKey({ allowedModels: ['m*'], perModelMaxTokens: { '*': 50 } });
    const lastUp = () => upstream.requests.at(-1)!;
    const lastProv = () => provider.requests.at(-1)!;
    const ok = async (path: string, body: Json): Promise<string | null> => {
      const res = await send(key, path, body);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      return res.headers.get('x-llmp-max-tokens');
    };

    expect(await ok('/v1/chat/completions', { model: 'm', messages, max_tokens: 5000 })).toBe('50');
    expect(lastUp().body.max_tokens).toBe(50);
    await ok('/v1/chat/completions', { model: 'm', messages, max_completion_tokens: 5000 });
    expect(lastUp().body.max_completion_tokens).toBe(50);
    expect(await ok('/v1/chat/completions', { model: 'm', messages })).toBe('50');
    expect(lastUp().body.max_tokens).toBe(50);
    expect(await ok('/v1/chat/completions', { model: 'm', messages, max_tokens: 7 })).toBeNull();
    expect(lastUp().body.max_tokens).toBe(7);
    await ok('/v1/completions', { model: 'm', prompt: 'hi', max_tokens: 5000 });
    expect(lastUp()).toMatchObject({ url: '/v1/completions', body: { max_tokens: 50 } });
    await ok('/v1/responses', { model: 'm', input: 'hi', max_output_tokens: 5000 });
    expect(lastUp().body.max_tokens).toBe(50);
    await ok('/v1/messages', { model: 'm-anthropic', max_tokens: 5000, messages });
    expect(lastProv()).toMatchObject({ url: '/v1/messages', body: { max_tokens: 50 } });
    await ok(gemini('m-gemini'), { contents: [{ parts: [{ text: 'hi' }] }], generationConfig: { maxOutputTokens: 5000 } });
    expect(lastProv().body).toMatchObject({ generationConfig: { maxOutputTokens: 50 } });
    await ok(gemini('m-gemini'), { contents: [{ parts: [{ text: 'hi' }] }] });
    expect(lastProv().body).toMatchObject({ generationConfig: { maxOutputTokens: 50 } });
    await ok('/api/chat', { model: 'm-ollama', messages, stream: false, options: { num_predict: 5000 } });
    expect(lastProv()).toMatchObject({ url: '/api/chat', body: { options: { num_predict: 50 } } });
    // Ollama's "no limit" (-1, -2) gets llmp's limit, not an unbounded reply.
    await ok('/api/chat', { model: 'm-ollama', messages, stream: false, options: { num_predict: -1 } });
    expect(lastProv().body).toMatchObject({ options: { num_predict: 50 } });
    await ok('/api/generate', { model: 'm-ollama', prompt: 'hi', stream: false, options: { num_predict: -2 } });
    expect(lastProv().body).toMatchObject({ options: { num_predict: 50 } });
  });

  faultCase('attack', 'a small-tpm or small-budget key without max_tokens is admitted with the output limit that fits (x-llmp-max-tokens)', async () => {
    const { key } = await newKey({ allowedModels: ['m'], tpm: 1000 });
    const res = await send(key, '/v1/chat/completions', { model: 'm', messages });
    expect(res.status).toBe(200);
    const limit = Number(res.headers.get('x-llmp-max-tokens'));
    expect(limit).toBeGreaterThanOrEqual(256);
    expect(limit).toBeLessThan(1000);
    expect(upstream.requests.at(-1)!.body.max_tokens).toBe(limit);

    const { key: twoChoices } = await newKey({ allowedModels: ['m'], tpm: 1000 });
    const pair = await send(twoChoices, gemini('m'), { contents: [{ parts: [{ text: 'hi' }] }], generationConfig: { candidateCount: 2 } });
    expect(pair.status).toBe(200);
    const perChoice = Number(pair.headers.get('x-llmp-max-tokens'));
    expect(perChoice * 2).toBeLessThan(1000);
    expect(perChoice).toBeGreaterThanOrEqual(256);
    expect(upstream.requests.at(-1)!.body).toMatchObject({ n: 2, max_tokens: perChoice });

    // A budget bounds it the same way: $0.05 pays for under 500 of the model's 2000 default output tokens.
    const { key: budgeted } = await newKey({ allowedModels: ['m'], budgetUsd: 0.05, budgetPeriod: 'total' });
    const paid = await send(budgeted, '/v1/chat/completions', { model: 'm', messages });
    expect(paid.status).toBe(200);
    const affordable = Number(paid.headers.get('x-llmp-max-tokens'));
    expect(affordable).toBeGreaterThanOrEqual(256);
    expect(affordable * OUTPUT_USD_PER_TOKEN).toBeLessThanOrEqual(0.05);
    expect(upstream.requests.at(-1)!.body.max_tokens).toBe(affordable);

    // Below limits.minOutputTokens: refused as never fitting, as before; a client's own limit is never lowered.
    const { key: tiny } = await newKey({ allowedModels: ['m'], tpm: 200 });
    const refused = await send(tiny, '/v1/chat/completions', { model: 'm', messages });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ error: { code: 'request_exceeds_limit' } });
    const own = await send(key, '/v1/chat/completions', { model: 'm', messages, max_tokens: 5000 });
    expect(own.status).toBe(400);
    expect(own.json).toMatchObject({ error: { code: 'request_exceeds_limit' } });
  });

  faultCase('attack', 'count_tokens counts against rpm, lands in the ledger, and its denials are audited', async (ctx) => {
    const { id, key } = await newKey({ allowedModels: ['m'], rpm: 3 });
    const count = (model: string) => send(key, '/v1/messages/count_tokens', { model, messages });
    const denied = await count('m-anthropic');
    expect(denied.status).toBe(400);
    expect(denied.json).toMatchObject({ type: 'error', error: { code: 'model_not_allowed' } });
    const results = [await count('m'), await count('m'), await count('m'), await count('m')];
    // The allowlist denial is decided before admission and takes no rpm slot: three counts pass, the fourth is over.
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(results[0].json).toMatchObject({ input_tokens: expect.any(Number) });
    expect(results[0].headers.get('x-ratelimit-limit-requests')).toBe('3');
    expect(results[3].json).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    // It is a request like any other: the window is shared with /v1/messages.
    expect((await send(key, '/v1/messages', { model: 'm', max_tokens: 5, messages })).status).toBe(429);

    const rows = await ledgerOf(id, 6);
    ctx.lost(Math.max(0, 6 - rows.length), 'ledger rows');
    const counted = rows.filter((r) => r.endpoint === 'count_tokens');
    expect(counted.map((r) => r.status).sort()).toEqual([200, 200, 200, 400, 429]);
    expect(counted.every((r) => Number(r.costUsd) === 0)).toBe(true);

    const audited = async () => (await db.query('SELECT action, after FROM "AuditEvent" WHERE "actorId" = $1', [id])).rows as { action: string; after: Json }[];
    await waitFor('count_tokens denials audited', async () => (await audited()).length >= 3, 15_000).catch(() => undefined);
    const events = await audited();
    const countDenials = events.filter((e) => e.after?.endpoint === 'count_tokens').map((e) => e.action).sort();
    ctx.lost(Math.max(0, 2 - countDenials.length), 'audit events');
    expect(countDenials).toEqual(['request.denied.model_not_allowed', 'request.denied.rate_limit_exceeded']);
  });
});
