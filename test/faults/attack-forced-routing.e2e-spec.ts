import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import pg from 'pg';
import { chatCompletion, FakeUpstream, type RecordedRequest } from '../support/fake-upstream';
import { fetchJson } from '../support/http-json';
import { spawnAdmin, spawnApi, startWorkers, stopPlanes, waitFor, writeConfig, type ApiProcess } from '../production/production.fixture';
import { faultCase } from './fault-report';

/** No single call of this spec waits longer: a hung call fails as itself, not as the case's timeout. */
const CALL_TIMEOUT_MS = 20_000;

/** Prices (USD per million tokens) chosen so a ledger cost names the price it was computed with. */
const MINI_PRICE = { input: 100, output: 200 };
const PROVIDER_PRICE = { input: 1000, output: 2000 };
/** The fake upstream reports 11 prompt and 7 completion tokens for every answer. */
const costAt = (p: { input: number; output: number }): number => (11 * p.input + 7 * p.output) / 1_000_000;

interface LedgerRow {
  requestId: string;
  status: number;
  errorCode: string | null;
  resolvedModel: string | null;
  provider: string | null;
  costUsd: string;
  priced: boolean;
}

/** The ledger rows of these client request ids (the ledger id is the client's id plus a `~suffix`). */
async function ledger(ids: string[]): Promise<Map<string, LedgerRow>> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const r = await client.query(
      `SELECT split_part("requestId", '~', 1) AS "requestId", status, "errorCode", "resolvedModel", provider, "costUsd"::text AS "costUsd", priced
         FROM "UsageRecord" WHERE split_part("requestId", '~', 1) = ANY($1)`,
      [ids],
    );
    return new Map((r.rows as LedgerRow[]).map((row) => [row.requestId, row]));
  } finally {
    await client.end();
  }
}

/** Denial audit actions recorded for these client request ids. */
async function deniedAudits(ids: string[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const r = await client.query(`SELECT action FROM "AuditEvent" WHERE split_part("requestId", '~', 1) = ANY($1)`, [ids]);
    return (r.rows as { action: string }[]).map((row) => row.action);
  } finally {
    await client.end();
  }
}

/** One way into the data plane: how a surface carries the model, an output limit, several choices, and its error code. */
interface Surface {
  name: string;
  send: (url: string, key: string, model: string, id: string) => Promise<Response>;
  codeOf: (body: string) => string | undefined;
}

const json = (url: string, headers: Record<string, string>, body: unknown): Promise<Response> =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
const messages = [{ role: 'user', content: 'hi' }];
const openAiCode = (b: string): string | undefined => (JSON.parse(b) as { error?: { code?: string } }).error?.code;

/** Every surface, each asking for as much output as it can express (the issue's `n:16, max_tokens:100000`). */
const SURFACES: Surface[] = [
  {
    name: 'openai chat',
    send: (u, k, model, id) => json(`${u}/v1/chat/completions`, { authorization: `Bearer ${k}`, 'x-request-id': id }, { model, messages, n: 8, max_tokens: 100_000 }),
    codeOf: openAiCode,
  },
  {
    name: 'openai chat stream',
    send: (u, k, model, id) =>
      json(`${u}/v1/chat/completions`, { authorization: `Bearer ${k}`, 'x-request-id': id }, { model, messages, stream: true, max_completion_tokens: 100_000 }),
    codeOf: openAiCode,
  },
  {
    name: 'openai completions',
    send: (u, k, model, id) => json(`${u}/v1/completions`, { authorization: `Bearer ${k}`, 'x-request-id': id }, { model, prompt: 'hi', max_tokens: 100_000 }),
    codeOf: openAiCode,
  },
  {
    name: 'openai responses',
    send: (u, k, model, id) => json(`${u}/v1/responses`, { authorization: `Bearer ${k}`, 'x-request-id': id }, { model, input: 'hi', max_output_tokens: 100_000 }),
    codeOf: openAiCode,
  },
  {
    name: 'anthropic messages',
    send: (u, k, model, id) => json(`${u}/v1/messages`, { 'x-api-key': k, 'x-request-id': id }, { model, max_tokens: 100_000, messages }),
    codeOf: (b) => (JSON.parse(b) as { error?: { code?: string } }).error?.code,
  },
  {
    name: 'gemini generateContent',
    send: (u, k, model, id) =>
      json(`${u}/v1beta/models/${encodeURIComponent(model)}:generateContent`, { 'x-goog-api-key': k, 'x-request-id': id }, {
        contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
        generationConfig: { maxOutputTokens: 100_000 },
      }),
    codeOf: (b) => (JSON.parse(b) as { error?: { details?: { reason?: string }[] } }).error?.details?.[0]?.reason,
  },
  {
    name: 'ollama chat',
    send: (u, k, model, id) =>
      json(`${u}/api/chat`, { authorization: `Bearer ${k}`, 'x-request-id': id }, { model, messages, stream: false, options: { num_predict: 100_000 } }),
    codeOf: (b) => /^([a-z_]+):/.exec((JSON.parse(b) as { error?: string }).error ?? '')?.[1],
  },
  {
    name: 'ollama generate',
    send: (u, k, model, id) =>
      json(`${u}/api/generate`, { authorization: `Bearer ${k}`, 'x-request-id': id }, { model, prompt: 'hi', stream: false, options: { num_predict: 100_000 } }),
    codeOf: (b) => /^([a-z_]+):/.exec((JSON.parse(b) as { error?: string }).error ?? '')?.[1],
  },
];

/** Surfaces only refusals are sent to (the fake upstream speaks chat, not embeddings). */
const REFUSAL_SURFACES: Surface[] = [
  ...SURFACES,
  {
    name: 'openai embeddings',
    send: (u, k, model, id) => json(`${u}/v1/embeddings`, { authorization: `Bearer ${k}`, 'x-request-id': id }, { model, input: 'hi' }),
    codeOf: openAiCode,
  },
];

/**
 * Forced routing (`provider://model`) against the built planes (data plane and control plane as OS processes, the
 * ledger and audit workers in process, real Postgres and Redis, fake upstreams as real HTTP servers): a forced call
 * is judged, priced, capped, limited and recorded as the configured model whose target it hits, and otherwise only
 * where the lists name its `provider://model`, at its provider's price, never for free under a budget.
 */
describe('attack: forced routing', () => {
  const up = new FakeUpstream();
  const backup = new FakeUpstream();
  const evil = new FakeUpstream();
  const master = `llmp_master_${randomBytes(16).toString('hex')}`;
  const masterAuth = { authorization: `Bearer ${master}` };
  let api: ApiProcess;
  let admin: ApiProcess;
  let workers: INestApplicationContext | undefined;

  const adminCall = async (method: string, path: string, body?: unknown) => {
    const res = await fetchJson(`${admin.url}${path}`, { method, headers: masterAuth, body, timeoutMs: CALL_TIMEOUT_MS });
    return { status: res.status, json: res.json };
  };

  const createKey = async (policy: Record<string, unknown>): Promise<{ id: string; key: string }> => {
    const created = await adminCall('POST', '/admin/v1/keys', { name: `forced-${randomBytes(3).toString('hex')}`, ...policy });
    expect(created.status).toBe(201);
    return { id: created.json.id, key: created.json.key };
  };

  const upstreamRequests = (): RecordedRequest[] => [...up.requests, ...backup.requests, ...evil.requests];

  /** Waits for the ledger rows of `ids`; counts the missing ones as lost. */
  const settled = async (ids: string[]): Promise<{ rows: Map<string, LedgerRow>; missing: number }> => {
    try {
      await waitFor('ledger rows', async () => (await ledger(ids)).size >= ids.length, 15_000);
    } catch {
      // Counted below.
    }
    const rows = await ledger(ids);
    return { rows, missing: ids.filter((id) => !rows.has(id)).length };
  };

  /** Sends `model` on every surface and expects the same refusal everywhere, nothing upstream, one ledger row each. */
  const refusedEverywhere = async (key: string, model: string, code: string): Promise<{ ids: string[]; missing: number }> => {
    const before = upstreamRequests().length;
    const ids: string[] = [];
    for (const s of REFUSAL_SURFACES) {
      const id = `forced-${randomBytes(5).toString('hex')}`;
      ids.push(id);
      const res = await s.send(api.url, key, model, id);
      const text = await res.text();
      expect({ surface: s.name, model, status: res.status, code: s.codeOf(text) }).toEqual({ surface: s.name, model, status: 400, code });
    }
    expect(upstreamRequests().length).toBe(before);
    const { rows, missing } = await settled(ids);
    for (const row of rows.values()) expect({ status: row.status, errorCode: row.errorCode, costUsd: Number(row.costUsd) }).toEqual({ status: 400, errorCode: code, costUsd: 0 });
    return { ids, missing };
  };

  beforeAll(async () => {
    const [upBase, backupBase, evilBase] = await Promise.all([up.start(), backup.start(), evil.start()]);
    for (const u of [up, backup, evil]) u.behavior = (req) => ({ json: chatCompletion(req, 'answer') });
    const config = writeConfig(`
providers:
  - { name: up, type: openai, baseUrl: ${upBase} }
  - { name: backup, type: openai, baseUrl: ${backupBase} }
  - { name: evil, type: openai, baseUrl: ${evilBase} }
  - { name: priced, type: openai, baseUrl: ${upBase}, pricing: { input: ${PROVIDER_PRICE.input}, output: ${PROVIDER_PRICE.output} } }
  - { name: mock, type: mock }
models:
  - name: gpt-4o-mini
    targets:
      - { provider: backup, model: small-backup }
      - { provider: up, model: small-up, priority: 1 }
    pricing: { input: ${MINI_PRICE.input}, output: ${MINI_PRICE.output} }
  - name: unpriced-model
    targets: [{ provider: up, model: free-up }]
aliases:
  fast: gpt-4o-mini
auth: { mode: required }
`);
    const env = { LLMP_CONFIG: config, LLMP_MASTER_KEY: master, LLMP_DATA_DIR: mkdtempSync(join(tmpdir(), 'llmp-forced-')) };
    [admin, api] = await Promise.all([spawnAdmin(env), spawnApi(env)]);
    workers = await startWorkers();
  }, 90_000);

  afterAll(async () => {
    await stopPlanes(workers, api, admin);
    await Promise.all([up.close(), backup.close(), evil.close()]);
  });

  faultCase('attack', 'a $0.0005 budget never buys unpriced mock://mock-large (n:8, max_tokens:100000): 400 model_not_priced on every surface', async (ctx) => {
    const { key } = await createKey({ allowedModels: ['mock://*'], budgetUsd: 0.0005, budgetPeriod: 'total' });
    const { ids, missing } = await refusedEverywhere(key, 'mock://mock-large', 'model_not_priced');
    ctx.lost(missing, 'ledger rows');
    expect(missing).toBe(0);
    await waitFor('denial audits', async () => (await deniedAudits(ids)).length >= ids.length, 15_000);
    expect(new Set(await deniedAudits(ids))).toEqual(new Set(['request.denied.model_not_priced']));
    // A team budget binds the same way.
    const team = await adminCall('POST', '/admin/v1/teams', {
      name: `budgeted-${randomBytes(3).toString('hex')}`,
      allowedModels: ['mock://*'],
      budgetUsd: 5,
      budgetPeriod: 'month',
    });
    expect(team.status).toBe(201);
    const member = await createKey({ teamId: team.json.id, allowedModels: ['mock://*'] });
    const res = await SURFACES[0].send(api.url, member.key, 'mock://mock-large', `forced-${randomBytes(5).toString('hex')}`);
    expect([res.status, openAiCode(await res.text())]).toEqual([400, 'model_not_priced']);
  });

  faultCase('attack', 'a budgeted key never gets a configured but unpriced model for free; an unbudgeted key does', async (ctx) => {
    const budgeted = await createKey({ budgetUsd: 10, budgetPeriod: 'total' });
    const { missing } = await refusedEverywhere(budgeted.key, 'unpriced-model', 'model_not_priced');
    ctx.lost(missing, 'ledger rows');
    const free = await createKey({});
    const res = await SURFACES[0].send(api.url, free.key, 'unpriced-model', `forced-${randomBytes(5).toString('hex')}`);
    expect(res.status).toBe(200);
  });

  faultCase('attack', 'a forced target no configured model has is priced at its provider price under a budget, recorded as provider://model', async (ctx) => {
    // The reservation is worst case (8 choices × 100,000 output tokens at $2,000 per million, $1,600): the budget must hold it.
    const { key } = await createKey({ allowedModels: ['priced://*'], budgetUsd: 2000, budgetPeriod: 'total' });
    const id = `forced-${randomBytes(5).toString('hex')}`;
    const before = up.requests.length;
    const res = await SURFACES[0].send(api.url, key, 'priced://big-upstream', id);
    expect(res.status).toBe(200);
    expect(up.requests.slice(before).map((r) => r.body.model)).toEqual(['big-upstream']);
    const { rows, missing } = await settled([id]);
    ctx.lost(missing, 'ledger rows');
    expect(rows.get(id)).toMatchObject({ resolvedModel: 'priced://big-upstream', provider: 'priced', priced: true });
    expect(Number(rows.get(id)!.costUsd)).toBeCloseTo(costAt(PROVIDER_PRICE), 10);
  });

  faultCase('attack', 'an admin price override for a forced provider://model counts as its price under a budget', async (ctx) => {
    // Worst case at the override's price: 8 choices × 100,000 output tokens at $4,000 per million, $3,200.
    const { key } = await createKey({ allowedModels: ['mock://*'], budgetUsd: 5000, budgetPeriod: 'total' });
    const first = await SURFACES[0].send(api.url, key, 'mock://mock-small', `forced-${randomBytes(5).toString('hex')}`);
    expect([first.status, openAiCode(await first.text())]).toEqual([400, 'model_not_priced']);
    const put = await adminCall('PUT', `/admin/v1/prices/${encodeURIComponent('mock://mock-small')}`, { inputPerMillion: 3000, outputPerMillion: 4000 });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ model: 'mock://mock-small', source: 'override' });
    let id = '';
    // Every replica reloads prices within a second of the change.
    await waitFor('the override on the data plane', async () => {
      id = `forced-${randomBytes(5).toString('hex')}`;
      const res = await SURFACES[0].send(api.url, key, 'mock://mock-small', id);
      await res.text();
      return res.status === 200;
    }, 10_000);
    const { rows, missing } = await settled([id]);
    ctx.lost(missing, 'ledger rows');
    expect(rows.get(id)).toMatchObject({ resolvedModel: 'mock://mock-small', priced: true, status: 200 });
    expect(Number(rows.get(id)!.costUsd)).toBeGreaterThan(0);
  });

  faultCase('attack', 'an allowlist of gpt-4o-mini* reaches neither mock://gpt-4o-mini-but-actually-large nor evil://gpt-4o-mini on any surface', async (ctx) => {
    const { key } = await createKey({ allowedModels: ['gpt-4o-mini*'] });
    let lost = 0;
    // The part after :// never matches the list, and a provider that is no target of gpt-4o-mini is not gpt-4o-mini;
    // even gpt-4o-mini's own target is named only by its provider://model.
    for (const model of ['mock://gpt-4o-mini-but-actually-large', 'evil://gpt-4o-mini', 'up://gpt-4o-mini', 'up://small-up']) {
      lost += (await refusedEverywhere(key, model, 'model_not_allowed')).missing;
    }
    ctx.lost(lost, 'ledger rows');
    expect(evil.requests).toHaveLength(0);
    // The model itself still works.
    expect((await SURFACES[0].send(api.url, key, 'gpt-4o-mini', `forced-${randomBytes(5).toString('hex')}`)).status).toBe(200);
  });

  faultCase('attack', 'an empty allowlist ("any model") reaches configured targets only, never arbitrary upstream names', async (ctx) => {
    const { key } = await createKey({});
    let lost = 0;
    for (const model of ['up://anything-at-all', 'mock://mock-large', 'evil://gpt-4o-mini', 'priced://big-upstream']) {
      lost += (await refusedEverywhere(key, model, 'model_not_allowed')).missing;
    }
    ctx.lost(lost, 'ledger rows');
    // A configured target is one of the configured models: allowed on every surface.
    for (const s of SURFACES) {
      const res = await s.send(api.url, key, 'up://small-up', `forced-${randomBytes(5).toString('hex')}`);
      expect({ surface: s.name, status: res.status }).toEqual({ surface: s.name, status: 200 });
      await res.text();
    }
    expect(evil.requests).toHaveLength(0);
  });

  faultCase('attack', 'a forced configured target is capped, priced, limited and recorded as its model, and routed to that target only', async (ctx) => {
    const { key } = await createKey({
      allowedModels: ['gpt-4o-mini', 'up://small-up'],
      perModelMaxTokens: { 'gpt-4o-mini': 50, 'small-up': 100_000, 'up://small-up': 100_000 },
      modelLimits: { 'gpt-4o-mini': { rpm: 3 } },
      budgetUsd: 5,
      budgetPeriod: 'total',
    });
    const ids = [0, 1, 2].map(() => `forced-${randomBytes(5).toString('hex')}`);
    const backupBefore = backup.requests.length;
    const upBefore = up.requests.length;
    // Two forced calls (OpenAI and Anthropic) and one by name share the key x gpt-4o-mini rpm of 3.
    expect((await SURFACES[0].send(api.url, key, 'up://small-up', ids[0])).status).toBe(200);
    expect((await SURFACES[4].send(api.url, key, 'up://small-up', ids[1])).status).toBe(200);
    expect((await SURFACES[0].send(api.url, key, 'gpt-4o-mini', ids[2])).status).toBe(200);
    const limited = await SURFACES[0].send(api.url, key, 'up://small-up', `forced-${randomBytes(5).toString('hex')}`);
    expect([limited.status, openAiCode(await limited.text())]).toEqual([429, 'rate_limit_exceeded']);

    const forcedSeen = up.requests.slice(upBefore);
    expect(forcedSeen.map((r) => [r.body.model, r.body.max_tokens ?? r.body.max_completion_tokens])).toEqual([
      ['small-up', 50],
      ['small-up', 50],
    ]);
    // The one unforced call went to gpt-4o-mini's first target; the forced ones never did.
    expect(backup.requests.slice(backupBefore).map((r) => r.body.model)).toEqual(['small-backup']);

    const { rows, missing } = await settled(ids);
    ctx.lost(missing, 'ledger rows');
    for (const id of ids.slice(0, 2)) {
      expect(rows.get(id)).toMatchObject({ resolvedModel: 'gpt-4o-mini', provider: 'up', priced: true, status: 200 });
      expect(Number(rows.get(id)!.costUsd)).toBeCloseTo(costAt(MINI_PRICE), 10);
    }
  });

  faultCase('attack', 'the admin API refuses aliases that shadow a configured model or lead to no configured model, naming the field', async () => {
    const refused = async (method: string, path: string, body: unknown, field: string) => {
      const res = await adminCall(method, path, body);
      expect({ path, body, status: res.status, field: res.json?.error?.details?.field }).toEqual({ path, body, status: 400, field });
    };
    await refused('PUT', '/admin/v1/aliases/gpt-4o-mini', { target: 'unpriced-model' }, 'alias');
    await refused('PUT', '/admin/v1/aliases/big', { target: 'mock://mock-large' }, 'target');
    await refused('PUT', '/admin/v1/aliases/big', { target: 'evil://gpt-4o-mini' }, 'target');
    await refused('PUT', '/admin/v1/aliases/big', { target: 'no-such-model' }, 'target');
    await refused('POST', '/admin/v1/keys', { name: 'k', modelAliases: { 'gpt-4o-mini': 'unpriced-model' } }, 'modelAliases');
    await refused('POST', '/admin/v1/keys', { name: 'k', modelAliases: { cheap: 'mock://mock-large' } }, 'modelAliases');
    await refused('POST', '/admin/v1/teams', { name: `t-${randomBytes(3).toString('hex')}`, modelAliases: { cheap: 'up://anything' } }, 'modelAliases');
    const { id } = await createKey({});
    await refused('PATCH', `/admin/v1/keys/${id}`, { modelAliases: { 'unpriced-model': 'gpt-4o-mini' } }, 'modelAliases');

    // Aliases to configured models and configured targets are fine, and work as the model they lead to.
    expect((await adminCall('PUT', '/admin/v1/aliases/pinned-mini', { target: 'up://small-up' })).status).toBe(200);
    const named = await createKey({ allowedModels: ['mine'], modelAliases: { mine: 'pinned-mini' } });
    const res = await SURFACES[0].send(api.url, named.key, 'mine', `forced-${randomBytes(5).toString('hex')}`);
    expect(res.status).toBe(200);
  });

  faultCase('attack', 'model lists (OpenAI, Gemini, Ollama) and policy explain agree with the forced-routing rules', async () => {
    const { id, key } = await createKey({ allowedModels: ['gpt-4o-mini*', 'fast'] });
    const openai = (await (await fetch(`${api.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).json()) as { data: { id: string }[] };
    const gemini = (await (await fetch(`${api.url}/v1beta/models`, { headers: { 'x-goog-api-key': key } })).json()) as { models: { name: string }[] };
    const ollama = (await (await fetch(`${api.url}/api/tags`, { headers: { authorization: `Bearer ${key}` } })).json()) as { models: { name: string }[] };
    const listed = openai.data.map((m) => m.id).sort();
    expect(listed).toEqual(['fast', 'gpt-4o-mini']);
    expect(gemini.models.map((m) => m.name.replace(/^models\//, '')).sort()).toEqual(listed);
    expect(ollama.models.map((m) => m.name.replace(/:latest$/, '')).sort()).toEqual(listed);

    const explain = async (model: string) => (await adminCall('POST', '/admin/v1/policy/explain', { keyId: id, request: { model } })).json;
    for (const model of ['mock://gpt-4o-mini-but-actually-large', 'evil://gpt-4o-mini', 'up://small-up']) {
      const e = await explain(model);
      expect({ model, allowed: e.allowed, allowlist: e.steps[2].decision }).toEqual({ model, allowed: false, allowlist: 'deny' });
    }
    const any = await createKey({});
    const forcedConfigured = (await adminCall('POST', '/admin/v1/policy/explain', { keyId: any.id, request: { model: 'up://small-up' } })).json;
    expect(forcedConfigured.allowed).toBe(true);
    expect(forcedConfigured.steps[1].details).toMatchObject({ resolved: 'gpt-4o-mini', forced: { provider: 'up', model: 'small-up' } });
    // Every surface's ingress trims the model name; explain judges the name the data plane judges.
    for (const padded of [' gpt-4o-mini ', '\tfast', ' up://small-up']) {
      const explained = (await adminCall('POST', '/admin/v1/policy/explain', { keyId: any.id, request: { model: padded } })).json;
      const served = await SURFACES[0].send(api.url, any.key, padded, `forced-${randomBytes(5).toString('hex')}`);
      expect({ padded, explained: explained.allowed, served: served.status }).toEqual({ padded, explained: true, served: 200 });
    }
    const arbitrary = (await adminCall('POST', '/admin/v1/policy/explain', { keyId: any.id, request: { model: 'up://anything' } })).json;
    expect(arbitrary.allowed).toBe(false);
    expect(arbitrary.steps[2].reason).toContain('configured');

    // The price rule, as admission applies it: a budgeted key is refused an unpriced model, priced ones pass.
    const budgeted = await createKey({ allowedModels: ['mock://*', 'gpt-4o-mini'], budgetUsd: 10, budgetPeriod: 'total' });
    const unpriced = (await adminCall('POST', '/admin/v1/policy/explain', { keyId: budgeted.id, request: { model: 'mock://mock-large' } })).json;
    expect(unpriced.allowed).toBe(false);
    expect(unpriced.steps[4]).toMatchObject({ stage: 'price', decision: 'deny', error: { code: 'model_not_priced' } });
    const priced = (await adminCall('POST', '/admin/v1/policy/explain', { keyId: budgeted.id, request: { model: 'gpt-4o-mini' } })).json;
    expect(priced.allowed).toBe(true);
    expect(priced.steps[4]).toMatchObject({ stage: 'price', decision: 'pass', details: { price: MINI_PRICE, budgeted: true } });
  });
});
