import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import pg from 'pg';
import { useIsolatedDatabase } from '../support/isolated-database';
import { ledgerRows, spawnAdmin, spawnApi, startWorkers, waitFor, writeConfig, type ApiProcess } from '../production/production.fixture';
import { faultCase } from './fault-report';

/** The plane's failure limit in this spec (the default is 30): small, so a case reaches it quickly. */
const MAX_FAILURES = 10;
const TEN_MB = 10 * 1024 * 1024;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ms: number;
}

/**
 * One HTTP/1.1 exchange from a chosen loopback address (Linux routes all of 127/8 to lo), so each case is its own
 * client address for the per-address limiter. Headers are sent as lines, repeats included (a `[name, value][]`).
 */
function call(url: string, opts: { method?: string; headers?: [string, string][]; body?: string | Buffer; from?: string } = {}): Promise<Reply> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: opts.method ?? 'GET', localAddress: opts.from ?? '127.0.0.1', timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
      res.on('error', reject);
    });
    for (const [k, v] of opts.headers ?? []) req.appendHeader(k, v);
    if (opts.body !== undefined) req.setHeader('content-length', Buffer.byteLength(opts.body));
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Waits out the end of the current UTC minute when it is near: the failure limit counts per minute. */
async function awayFromMinuteEdge(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 15_000) await new Promise((r) => setTimeout(r, left + 100));
}

const randomKey = (): string => `llmp_${randomBytes(32).toString('base64url')}`;
const chatBody = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });

/** Polls /health/live every 10 ms until stopped; the slowest answer says how long the event loop was blocked. */
function watchLiveness(url: string): { stop: () => Promise<{ maxMs: number; samples: number }> } {
  let running = true;
  let maxMs = 0;
  let samples = 0;
  const loop = (async () => {
    while (running) {
      const r = await call(`${url}/health/live`);
      if (r.status !== 200) throw new Error(`/health/live answered ${r.status}`);
      maxMs = Math.max(maxMs, r.ms);
      samples++;
      await new Promise((res) => setTimeout(res, 10));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { maxMs, samples };
    },
  };
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A Prometheus counter's value in a `/metrics` text. */
function counter(metrics: string, name: string, labels: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

/**
 * Cheap requests must stay cheap for the plane: hostile bodies up to the body limit, floods of random keys, and
 * requests carrying two keys, against the built data plane (its own process) with real Postgres and Redis.
 */
describe('attack: cheap refusals', () => {
  let api: ApiProcess;
  let admin: ApiProcess;
  let workers: INestApplicationContext | undefined;
  let dropDatabase: () => Promise<void>;
  const master = `mk_${randomBytes(24).toString('hex')}`;
  let validKey: string;
  /** Failed attempts per source address, with the UTC minutes they fell in (for the audit case). */
  const failed = new Map<string, { requestIds: string[]; minutes: Set<number> }>();

  const noteFailure = (from: string, requestId: string): void => {
    const f = failed.get(from) ?? { requestIds: [], minutes: new Set<number>() };
    f.requestIds.push(requestId);
    f.minutes.add(Math.floor(Date.now() / 60_000));
    failed.set(from, f);
  };

  /** A chat call with these credential header lines, from `from`; failed attempts are remembered for the audit case. */
  const chatAs = async (from: string, credentialLines: [string, string][], path = '/v1/chat/completions', body = chatBody): Promise<Reply> => {
    const requestId = `cheap-${randomBytes(6).toString('hex')}`;
    const r = await call(`${api.url}${path}`, {
      method: 'POST',
      from,
      headers: [['content-type', 'application/json'], ['x-request-id', requestId], ...credentialLines],
      body,
    });
    if (r.status === 401 || r.status === 429) noteFailure(from, requestId);
    return r;
  };

  const metrics = async (): Promise<string> => (await call(`${api.url}/metrics`)).body;

  beforeAll(async () => {
    dropDatabase = await useIsolatedDatabase();
    const config = writeConfig(`
providers:
  - { name: mock, type: mock }
models:
  - name: m
    targets: [{ provider: mock, model: mock-small }]
auth: { mode: required, maxFailuresPerMinute: ${MAX_FAILURES} }
server: { bodyLimitBytes: ${TEN_MB} }
`);
    const env = { LLMP_CONFIG: config, LLMP_MASTER_KEY: master, LLMP_DATA_DIR: mkdtempSync(join(tmpdir(), 'llmp-cheap-')), LLMP_ACCESS_LOG: 'false' };
    [admin, api] = await Promise.all([spawnAdmin(env), spawnApi(env)]);
    workers = await startWorkers();
    const created = await fetch(`${admin.url}/admin/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${master}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'cheap-refusals' }),
    });
    expect(created.status).toBe(201);
    validKey = ((await created.json()) as { key: string }).key;
    // Warm: the key is now known to Redis and to the plane's memory, like any key in use.
    expect((await chatAs('127.0.0.1', [['authorization', `Bearer ${validKey}`]])).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await workers?.close();
    if (api && api.child.exitCode === null) api.child.kill('SIGTERM');
    admin?.child.kill('SIGTERM');
    await Promise.all([api?.exited, admin?.exited]);
    await dropDatabase?.();
  });

  faultCase('attack', '10 MB of nested [ or {"a": is a 400 in milliseconds on every surface while /health/live stays fast', async (ctx) => {
    const auth: [string, string] = ['authorization', `Bearer ${validKey}`];
    const nested = '['.repeat(TEN_MB / 2) + ']'.repeat(TEN_MB / 2);
    const objects = '{"a":'.repeat(TEN_MB / 5);
    const live = watchLiveness(api.url);
    const timings: string[] = [];
    for (const [path, body, what] of [
      ['/v1/chat/completions', nested, 'nested ['],
      ['/v1/messages', objects, 'nested {"a":'],
      ['/v1beta/models/m:generateContent', nested, 'nested ['],
      ['/api/chat', objects, 'nested {"a":'],
      ['/v1/responses', `{"model":"m","input":${nested.slice(0, TEN_MB - 30)}}`, 'nested [ in a field'],
    ] as const) {
      const cpu = cpuMs(api.child.pid!);
      const r = await chatAs('127.0.0.1', [auth], path, body);
      const used = cpuMs(api.child.pid!) - cpu;
      expect({ path, status: r.status }).toEqual({ path, status: 400 });
      expect(r.body).toContain('nested too deeply');
      // The plane's own CPU for receiving 10 MB and refusing it (JSON.parse alone took seconds before the text scan);
      // wall time is bounded loosely because this machine's other tests share its cores.
      expect({ path, cpuMs: used < 300, wallMs: r.ms < 5000 }).toEqual({ path, cpuMs: true, wallMs: true });
      timings.push(`${path} ${what}: ${Math.round(r.ms)} ms wall, ${used} ms plane CPU`);
    }
    // A legitimate 10 MB body (one big string, brackets and escaped quotes inside) is scanned, parsed and passes
    // ingress and authentication; it names no configured model, so the answer (404) comes before any upstream work.
    const legit = JSON.stringify({ model: 'no-such-model', messages: [{ role: 'user', content: 'say "hi" [x] {y} \\ '.repeat((TEN_MB - 200) / 24) }] });
    expect(legit.length).toBeLessThanOrEqual(TEN_MB);
    const cpu = cpuMs(api.child.pid!);
    const ok = await chatAs('127.0.0.1', [auth], '/v1/chat/completions', legit);
    const used = cpuMs(api.child.pid!) - cpu;
    expect(JSON.parse(ok.body)).toMatchObject({ error: { code: 'model_not_found' } });
    timings.push(`legit 10 MB string body through ingress: ${Math.round(ok.ms)} ms wall, ${used} ms plane CPU`);
    expect(used).toBeLessThan(1000);
    const { maxMs, samples } = await live.stop();
    timings.push(`/health/live slowest of ${samples}: ${Math.round(maxMs)} ms`);
    expect(samples).toBeGreaterThan(3);
    // Before the text scan one 6 MB body stalled it for 8.9 s.
    expect(maxMs).toBeLessThan(2000);

    // The control plane parses JSON too: a 1 MB (its limit) nested body is a 400 at once, in its own envelope.
    const adminDeep = await call(`${admin.url}/admin/v1/keys`, {
      method: 'POST',
      headers: [['authorization', `Bearer ${master}`], ['content-type', 'application/json']],
      body: '['.repeat(512 * 1024) + ']'.repeat(512 * 1024 - 16),
    });
    expect(adminDeep.status).toBe(400);
    expect(JSON.parse(adminDeep.body)).toMatchObject({ error: { code: 'invalid_request_error', message: expect.stringContaining('nested too deeply') } });
    expect(adminDeep.ms).toBeLessThan(1000);
    timings.push(`admin 1 MB nested [ ${Math.round(adminDeep.ms)} ms`);
    ctx.note(timings.join('; '));
  }, 120_000);

  faultCase('attack', 'a repeated unknown key is not looked up in Postgres again', async () => {
    const from = '127.0.0.2';
    const before = counter(await metrics(), 'llmp_key_store_lookups_total', 'store="postgres"');
    const key = randomKey();
    expect((await chatAs(from, [['authorization', `Bearer ${key}`]])).status).toBe(401);
    const afterFirst = counter(await metrics(), 'llmp_key_store_lookups_total', 'store="postgres"');
    expect(afterFirst).toBe(before + 1);
    const anthropicBody = JSON.stringify({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
    for (let i = 0; i < 3; i++) expect((await chatAs(from, [['x-api-key', key]], '/v1/messages', anthropicBody)).status).toBe(401);
    expect(counter(await metrics(), 'llmp_key_store_lookups_total', 'store="postgres"')).toBe(afterFirst);
  });

  faultCase('attack', 'an address that keeps failing gets 429 with Retry-After in its envelope; valid keys still pass', async () => {
    const from = '127.0.0.3';
    await awayFromMinuteEdge();
    for (let i = 0; i < MAX_FAILURES; i++) expect((await chatAs(from, [['authorization', `Bearer ${randomKey()}`]])).status).toBe(401);
    const lookups = counter(await metrics(), 'llmp_key_store_lookups_total', 'store="postgres"');

    const openai = await chatAs(from, [['authorization', `Bearer ${randomKey()}`]]);
    expect(openai.status).toBe(429);
    const retryAfter = Number(openai.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(JSON.parse(openai.body)).toMatchObject({ error: { type: 'rate_limit_error', code: 'rate_limit_exceeded' } });
    const anthropic = await chatAs(from, [['x-api-key', randomKey()]], '/v1/messages', JSON.stringify({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }));
    expect(anthropic.status).toBe(429);
    expect(anthropic.headers['retry-after']).toBeDefined();
    expect(JSON.parse(anthropic.body)).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    const gemini = await chatAs(from, [], `/v1beta/models/m:generateContent?key=${randomKey()}`, JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }));
    expect(gemini.status).toBe(429);
    expect(JSON.parse(gemini.body)).toMatchObject({ error: { code: 429, status: 'RESOURCE_EXHAUSTED' } });
    const ollama = await chatAs(from, [['authorization', `Bearer ${randomKey()}`]], '/api/chat', JSON.stringify({ model: 'm', stream: false, messages: [{ role: 'user', content: 'hi' }] }));
    expect(ollama.status).toBe(429);
    expect(typeof JSON.parse(ollama.body).error).toBe('string');
    // Limited guesses cost no Postgres lookup.
    expect(counter(await metrics(), 'llmp_key_store_lookups_total', 'store="postgres"')).toBe(lookups);

    // The valid key is never refused because others failed: not from this address, not from another one.
    expect((await chatAs(from, [['authorization', `Bearer ${validKey}`]])).status).toBe(200);
    expect((await chatAs('127.0.0.4', [['authorization', `Bearer ${validKey}`]])).status).toBe(200);
    // Another address is not limited by these failures: its bad key is a plain 401.
    expect((await chatAs('127.0.0.4', [['authorization', `Bearer ${randomKey()}`]])).status).toBe(401);
    expect(counter(await metrics(), 'llmp_auth_failures_total', 'outcome="limited"')).toBeGreaterThanOrEqual(4);
  }, 60_000);

  faultCase('attack', 'two different credentials in one request are a 401 on every surface; the same key twice passes', async () => {
    const other = randomKey();
    const bearer = (k: string): [string, string] => ['authorization', `Bearer ${k}`];
    const anthropicBody = JSON.stringify({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
    const geminiBody = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
    const ollamaBody = JSON.stringify({ model: 'm', stream: false, messages: [{ role: 'user', content: 'hi' }] });
    const gemini = '/v1beta/models/m:generateContent';
    const variants: { name: string; path: string; lines: [string, string][]; body?: string; envelope: (j: unknown) => void }[] = [
      { name: 'two Authorization headers (valid first)', path: '/v1/chat/completions', lines: [bearer(validKey), bearer(other)], envelope: (j) => expect(j).toMatchObject({ error: { code: 'invalid_api_key' } }) },
      { name: 'two Authorization headers (valid second)', path: '/v1/completions', lines: [bearer(other), bearer(validKey)], body: JSON.stringify({ model: 'm', prompt: 'hi' }), envelope: (j) => expect(j).toMatchObject({ error: { code: 'invalid_api_key' } }) },
      { name: 'Authorization + x-api-key', path: '/v1/responses', lines: [bearer(validKey), ['x-api-key', other]], body: JSON.stringify({ model: 'm', input: 'hi' }), envelope: (j) => expect(j).toMatchObject({ error: { code: 'invalid_api_key' } }) },
      { name: 'x-api-key + Authorization', path: '/v1/messages', lines: [['x-api-key', validKey], bearer(other)], body: anthropicBody, envelope: (j) => expect(j).toMatchObject({ type: 'error', error: { type: 'authentication_error' } }) },
      { name: 'two x-api-key headers', path: '/v1/messages', lines: [['x-api-key', validKey], ['x-api-key', other]], body: anthropicBody, envelope: (j) => expect(j).toMatchObject({ type: 'error', error: { type: 'authentication_error' } }) },
      { name: 'two ?key=', path: `${gemini}?key=${validKey}&key=${other}`, lines: [], body: geminiBody, envelope: (j) => expect(j).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } }) },
      { name: 'x-goog-api-key + ?key=', path: `${gemini}?key=${other}`, lines: [['x-goog-api-key', validKey]], body: geminiBody, envelope: (j) => expect(j).toMatchObject({ error: { code: 401 } }) },
      { name: 'Authorization + api-key (Ollama)', path: '/api/chat', lines: [bearer(validKey), ['api-key', other]], body: ollamaBody, envelope: (j) => expect(typeof (j as { error: unknown }).error).toBe('string') },
    ];
    let address = 10;
    for (const v of variants) {
      // Each from its own address, so the failure limit never turns these 401s into 429s.
      const r = await chatAs(`127.0.0.${address++}`, v.lines, v.path, v.body ?? chatBody);
      expect({ variant: v.name, status: r.status }).toEqual({ variant: v.name, status: 401 });
      v.envelope(JSON.parse(r.body));
    }
    // The same key repeated is one key.
    expect((await chatAs('127.0.0.30', [bearer(validKey), bearer(validKey)])).status).toBe(200);
    expect((await chatAs('127.0.0.30', [['x-goog-api-key', validKey]], `${gemini}?key=${validKey}`, geminiBody)).status).toBe(200);
  });

  faultCase('attack', 'failed authentication is audited once per address per minute with its count; each request keeps its ledger record', async (ctx) => {
    // SIGTERM writes the minutes still open, so the case need not wait for the minute to end.
    api.child.kill('SIGTERM');
    await api.exited;
    const addresses = [...failed.keys()];
    const expected = new Map(addresses.map((a) => [a, failed.get(a)!.requestIds.length]));
    const events = async (): Promise<{ sourceIp: string; after: { count: number; limited: number; aggregated: boolean }; requestId: string | null }[]> => {
      const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await c.connect();
      try {
        const r = await c.query(`SELECT "sourceIp", after, "requestId" FROM "AuditEvent" WHERE action = 'request.denied.invalid_api_key'`);
        return r.rows;
      } finally {
        await c.end();
      }
    };
    const total = [...expected.values()].reduce((a, b) => a + b, 0);
    await waitFor('the aggregated audit events', async () => (await events()).reduce((n, e) => n + e.after.count, 0) >= total, 30_000).catch(() => undefined);
    const rows = await events();
    for (const address of addresses) {
      const mine = rows.filter((e) => e.sourceIp === address);
      const count = mine.reduce((n, e) => n + e.after.count, 0);
      expect({ address, count }).toEqual({ address, count: expected.get(address) });
      // One event per address per minute the attempts fell in, never one per request.
      expect(mine.length).toBeLessThanOrEqual(failed.get(address)!.minutes.size);
      for (const e of mine) expect(e).toMatchObject({ requestId: null, after: { aggregated: true } });
    }
    // The limit case's four refused guesses are counted as limited (when that case ran before this one).
    if (failed.has('127.0.0.3')) expect(rows.filter((e) => e.sourceIp === '127.0.0.3').reduce((n, e) => n + e.after.limited, 0)).toBe(4);
    expect(total).toBeGreaterThan(0);
    ctx.lost(Math.max(0, total - rows.reduce((n, e) => n + e.after.count, 0)), 'audited failures');

    // The usage ledger still has one record per request, 401 and 429 alike.
    const ids = addresses.flatMap((a) => failed.get(a)!.requestIds);
    await waitFor('ledger rows of the refused requests', async () => (await ledgerRows(ids)).length >= ids.length, 30_000).catch(() => undefined);
    const ledger = await ledgerRows(ids);
    ctx.lost(Math.max(0, ids.length - ledger.length), 'usage records');
    expect(ledger).toHaveLength(ids.length);
    expect(new Set(ledger.map((r) => r.status))).toEqual(new Set([401, 429]));
    ctx.note(`${total} failed attempts from ${addresses.length} addresses → ${rows.length} audit events`);
  }, 90_000);
});
