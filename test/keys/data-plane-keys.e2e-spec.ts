import { connect } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import OpenAI from 'openai';
import { call, master, startAdminApp } from '../../apps/admin/test/admin-app.fixture';
import { chatCompletion, FakeUpstream, sleep } from '../support/fake-upstream';
import { useConfig } from '../support/gateway-harness';
import { spawnDataPlane, type Replica } from '../support/processes';

/** Sends raw bytes as an HTTP request, so header values fetch() refuses (NUL, raw non-ASCII) can be tried. */
function rawRequest(url: string, head: Buffer): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    socket.end(head);
  });
}

function chatHead(path: string, authorization: Buffer): Buffer {
  const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  return Buffer.concat([
    Buffer.from(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: ${body.length}\r\nAuthorization: `),
    authorization,
    Buffer.from(`\r\n\r\n${body}`),
  ]);
}

/**
 * Virtual keys at the data plane's edge: two real data plane processes sharing Postgres and Redis, keys issued and
 * changed through the control plane, and the `openai` SDK as the client.
 */
// Global aliases live in the run's shared database, so this file's alias names are its own.
const SNEAKY = `sneaky-${Math.random().toString(36).slice(2, 8)}`;

describe('virtual keys on the data plane (two replicas)', () => {
  const upstream = new FakeUpstream();
  let admin: NestFastifyApplication;
  let replicas: Replica[] = [];

  async function createKey(body: Record<string, unknown>): Promise<{ id: string; key: string }> {
    const res = await call(admin, 'POST', '/admin/v1/keys', { headers: master, body: { name: 'k', ...body } });
    expect(res.status).toBe(201);
    return res.body as { id: string; key: string };
  }

  async function chat(base: string, headers: Record<string, string>, body: Record<string, unknown> = {}, query = ''): Promise<Response> {
    return fetch(`${base}/v1/chat/completions${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...body }),
    });
  }

  /** Polls every replica until `expected` holds everywhere; returns how long it took. */
  async function within(ms: number, check: (r: Replica) => Promise<boolean>): Promise<number> {
    const start = Date.now();
    while (Date.now() - start < ms) {
      const results = await Promise.all(replicas.map(check));
      if (results.every(Boolean)) return Date.now() - start;
      await sleep(50);
    }
    throw new Error(`not every replica converged within ${ms} ms`);
  }

  beforeAll(async () => {
    const base = await upstream.start();
    useConfig(`
providers:
  - { name: up, type: openai, baseUrl: "${base}" }
models:
  - { name: gpt-4o-mini, targets: [{ provider: up, model: small }] }
  - { name: gpt-4o, targets: [{ provider: up, model: large }] }
  - { name: o1, targets: [{ provider: up, model: reasoning }] }
aliases:
  fast: gpt-4o-mini
  ${SNEAKY}: o1
`);
    admin = await startAdminApp();
    const env = {
      DATABASE_URL: process.env.DATABASE_URL!,
      REDIS_URL: process.env.REDIS_URL!,
      LLMP_REDIS_PREFIX: process.env.LLMP_REDIS_PREFIX!,
      LLMP_CONFIG: process.env.LLMP_CONFIG!,
    };
    replicas = await Promise.all([spawnDataPlane(env), spawnDataPlane(env)]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await admin?.close();
    await upstream.close();
  });

  beforeEach(() => {
    upstream.requests.length = 0;
    upstream.behavior = (req) => ({ json: chatCompletion(req, 'ok') });
  });

  it('accepts the key in every supported place', async () => {
    const { key } = await createKey({});
    const base = replicas[0].url;
    const forms: Record<string, string>[] = [{ authorization: `Bearer ${key}` }, { 'x-api-key': key }, { 'api-key': key }, { 'x-goog-api-key': key }];
    for (const headers of forms) {
      expect((await chat(base, headers)).status).toBe(200);
    }
    expect((await chat(base, {}, {}, `?key=${encodeURIComponent(key)}`)).status).toBe(200);
    // The same key twice is one key.
    expect((await chat(base, { authorization: `Bearer ${key}`, 'x-api-key': key })).status).toBe(200);
    const sdk = new OpenAI({ baseURL: `${base}/v1`, apiKey: key, maxRetries: 0 });
    expect((await sdk.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'x' }] })).model).toBe('fast');
  });

  it('rejects two different keys, and every bad key with the same 401 body', async () => {
    const a = await createKey({});
    const b = await createKey({});
    const base = replicas[1].url;
    const both = await chat(base, { authorization: `Bearer ${a.key}`, 'x-api-key': b.key });
    expect(both.status).toBe(401);
    expect(((await both.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key');

    const bodies = new Set<string>();
    for (const headers of [
      {},
      { authorization: 'Bearer llmp_' + 'A'.repeat(43) },
      { authorization: "Bearer ' OR 1=1; DROP TABLE \"ApiKey\"; --" },
      { authorization: 'Basic dXNlcjpwYXNz' },
      { authorization: 'Bearer ' + 'x'.repeat(8192) },
      { 'x-api-key': 'sk-not-ours' },
    ]) {
      const res = await chat(base, headers as Record<string, string>);
      expect(res.status).toBe(401);
      bodies.add(JSON.stringify(((await res.json()) as { error: { message: string } }).error.message));
    }
    expect(bodies.size).toBe(1);

    for (const hostile of [Buffer.from('Bearer llmp_\u0000abc', 'latin1'), Buffer.from([0x42, 0x65, 0x61, 0x72, 0x65, 0x72, 0x20, 0xff, 0xfe, 0xe2, 0x82, 0xac, 0xc3, 0xa9])]) {
      const res = await rawRequest(base, chatHead('/v1/chat/completions', hostile));
      expect([400, 401]).toContain(res.status);
      expect(res.status).not.toBe(500);
    }
  });

  it('applies a revoke on every replica within one second', async () => {
    const { id, key } = await createKey({});
    for (const r of replicas) expect((await chat(r.url, { authorization: `Bearer ${key}` })).status).toBe(200);
    expect((await call(admin, 'POST', `/admin/v1/keys/${id}/revoke`, { headers: master })).status).toBe(200);
    const took = await within(1000, async (r) => (await chat(r.url, { authorization: `Bearer ${key}` })).status === 401);
    expect(took).toBeLessThan(1000);
  });

  it('applies a rotation without grace and an expiry on every replica within one second', async () => {
    const { id, key } = await createKey({});
    for (const r of replicas) expect((await chat(r.url, { authorization: `Bearer ${key}` })).status).toBe(200);
    const rotated = await call(admin, 'POST', `/admin/v1/keys/${id}/rotate`, { headers: master, body: {} });
    expect(rotated.status).toBe(200);
    await within(1000, async (r) => (await chat(r.url, { authorization: `Bearer ${key}` })).status === 401);
    for (const r of replicas) expect((await chat(r.url, { authorization: `Bearer ${rotated.body.key}` })).status).toBe(200);

    const patched = await call(admin, 'PATCH', `/admin/v1/keys/${id}`, { headers: master, body: { expiresAt: new Date(Date.now() - 1000).toISOString() } });
    expect(patched.status).toBe(200);
    await within(1000, async (r) => (await chat(r.url, { authorization: `Bearer ${rotated.body.key}` })).status === 401);
  });

  it('enforces allowedModels after alias resolution, and lists only what the key may use', async () => {
    const { id, key } = await createKey({ allowedModels: ['gpt-4o*', 'fast'], modelAliases: { mine: 'o1' } });
    const h = { authorization: `Bearer ${key}` };
    const base = replicas[0].url;
    expect((await chat(base, h, { model: 'gpt-4o' })).status).toBe(200);
    expect((await chat(base, h, { model: 'fast' })).status).toBe(200);
    for (const model of ['o1', SNEAKY, 'mine', 'up://reasoning']) {
      const res = await chat(base, h, { model });
      expect([model, res.status]).toEqual([model, 400]);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('model_not_allowed');
    }
    const models = (await (await fetch(`${base}/v1/models`, { headers: h })).json()) as { data: { id: string }[] };
    const ids = models.data.map((m) => m.id).sort();
    expect(ids).toEqual(expect.arrayContaining(['fast', 'gpt-4o', 'gpt-4o-mini']));
    expect(ids).not.toContain('o1');
    expect(ids).not.toContain(SNEAKY);
    expect(ids).not.toContain('mine');
    void id;
  });

  it('counts a reused client x-request-id as separate requests, and echoes it', async () => {
    const { key } = await createKey({ rpm: 2 });
    const h = { authorization: `Bearer ${key}`, 'x-request-id': 'my-fixed-request-id' };
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await chat(replicas[i % 2].url, h));
    expect(results.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(results.map((r) => r.headers.get('x-request-id'))).toEqual(Array(3).fill('my-fixed-request-id'));
  });

  it('clamps and injects max tokens from perModelMaxTokens, key and team combined to the smaller', async () => {
    const team = await call(admin, 'POST', '/admin/v1/teams', { headers: master, body: { name: `t-${Date.now()}`, perModelMaxTokens: { '*': 300 } } });
    expect(team.status).toBe(201);
    const { key } = await createKey({ teamId: team.body.id, perModelMaxTokens: { 'gpt-4o': 50, '*': 1000 } });
    const h = { authorization: `Bearer ${key}` };
    const base = replicas[1].url;
    await chat(base, h, { model: 'gpt-4o', max_tokens: 4000 });
    await chat(base, h, { model: 'gpt-4o-mini' });
    await chat(base, h, { model: 'gpt-4o-mini', max_completion_tokens: 20 });
    expect(upstream.requests.map((r) => [r.body.max_tokens, r.body.max_completion_tokens])).toEqual([
      [50, undefined],
      [300, undefined],
      [undefined, 20],
    ]);
  });
});
