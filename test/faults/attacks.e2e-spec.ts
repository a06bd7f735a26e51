import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import pg from 'pg';
import { canaryMasterKey, canaryPassword, canaryUpstreamKey, CanaryScanner } from '../support/canary';
import { chatChunks, chatCompletion, FakeUpstream } from '../support/fake-upstream';
import { useIsolatedDatabase } from '../support/isolated-database';
import { fetchJson } from '../support/http-json';
import { ledgerRows, spawnAdmin, spawnApi, startWorkers, stopPlanes, waitFor, writeConfig, type ApiProcess } from '../production/production.fixture';
import { faultCase } from './fault-report';

/** No single call of this spec waits longer: a hung call fails as itself, not as the case's timeout. */
const CALL_TIMEOUT_MS = 20_000;

/** What a raw HTTP/1.1 exchange gave back. */
interface RawReply {
  status: number;
  head: string;
  body: string;
}

/**
 * Sends `request` byte for byte (no URL normalisation, no header validation, unlike fetch) from `localAddress`,
 * and reads until the server closes or `waitMs` passes.
 */
function raw(url: string, request: string | Buffer, opts: { localAddress?: string; host?: string; waitMs?: number } = {}): Promise<RawReply> {
  const { port, hostname } = new URL(url);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const done = (): void => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split === -1 ? text : text.slice(0, split);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), head, body: split === -1 ? '' : text.slice(split + 4) });
    };
    const s = connect({ port: Number(port), host: opts.host ?? hostname, localAddress: opts.localAddress });
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', done);
    s.on('close', done);
    s.write(request);
    setTimeout(() => s.destroy(), opts.waitMs ?? 3000).unref();
  });
}

const get = (path: string, headers: Record<string, string> = {}): string =>
  `GET ${path} HTTP/1.1\r\n${Object.entries({ host: 'localhost', connection: 'close', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;

/** Postgres and driver error text that must never reach a client. */
const DB_ERROR_TEXT = /invalid byte sequence|unsupported unicode escape|22P05|22021|P20\d\d|prisma|postgres|\bpg\b|SQLSTATE/i;

/** A non-loopback address of this machine: connecting to it from here makes the peer address non-loopback. */
function externalAddress(): string {
  const a = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
  if (!a) throw new Error('this machine has no non-loopback IPv4 address to test the loopback-only rule over real TCP');
  return a.address;
}

/**
 * Hostile clients against built processes (data plane and control plane as OS processes, real Postgres and Redis),
 * every process given canary secrets that must never come back out anywhere. The spec has a database of its own (it
 * seeds thousands of keys for the search case and scans every table at the end).
 */
describe('attacks', () => {
  const canary = new CanaryScanner();
  const master = canary.add(canaryMasterKey());
  const upstreamKeyA = canary.add(canaryUpstreamKey());
  const upstreamKeyB = canary.add(canaryUpstreamKey());
  const password = canary.add(canaryPassword());
  const upA = new FakeUpstream();
  const upB = new FakeUpstream();
  const masterAuth = { authorization: `Bearer ${master}` };
  let api: ApiProcess;
  let admin: ApiProcess;
  let workers: INestApplicationContext | undefined;
  let dropDatabase: () => Promise<void>;
  let clientKey: string;
  let baseB: string;
  let keyId: string;
  const userEmail = `ops-${randomBytes(3).toString('hex')}@example.com`;

  /** A control plane call from loopback, recorded for the canary scan; `issued` is a secret the answer returns by design. */
  const adminCall = async (method: string, path: string, body?: unknown, headers: Record<string, string> = masterAuth) => {
    const res = await fetchJson(`${admin.url}${path}`, { method, headers, body, timeoutMs: CALL_TIMEOUT_MS });
    const { text, json } = res;
    // Issued secrets come back once by design (created/rotated keys, sign-in tokens): registered as canaries, masked here.
    const issued = [json?.key, json?.token].filter((s): s is string => typeof s === 'string' && s.length >= 16);
    for (const s of issued) canary.add(s);
    canary.sawResponse(`admin ${method} ${path}`, issued.reduce((t, s) => t.split(s).join('<issued>'), `${res.status} ${JSON.stringify([...res.headers])}\n${text}`));
    return { status: res.status, headers: res.headers, json };
  };

  const chat = (body: unknown, headers: Record<string, string> = {}, path = '/v1/chat/completions') =>
    canary.fetch(`api POST ${path}`, `${api.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${clientKey}`, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });

  /** Ledger rows missing for these client request ids (waits for the workers first). */
  const missingLedger = async (ids: string[]): Promise<number> => {
    try {
      await waitFor('ledger rows', async () => (await ledgerRows(ids)).length >= ids.length, 15_000);
    } catch {
      // Counted below.
    }
    const found = new Set((await ledgerRows(ids)).map((r) => r.requestId.split('~')[0]));
    return ids.filter((id) => !found.has(id)).length;
  };

  beforeAll(async () => {
    dropDatabase = await useIsolatedDatabase();
    const baseA = await upA.start();
    baseB = await upB.start();
    upA.behavior = (req) => {
      if (JSON.stringify(req.body).includes('explode upstream')) return { status: 500, json: { error: { message: 'boom', type: 'server_error' } } };
      return req.body.stream ? { stream: { chunks: chatChunks(String(req.body.model), ['safe ', 'answer']) } } : { json: chatCompletion(req, 'safe answer') };
    };
    upB.behavior = (req) => ({ json: chatCompletion(req, 'STEERED') });
    const config = writeConfig(`
providers:
  - { name: a, type: openai, baseUrl: ${baseA}, apiKey: "\${CANARY_UPSTREAM_A}" }
  - { name: b, type: openai, baseUrl: ${baseB}, apiKey: "\${CANARY_UPSTREAM_B}" }
models:
  - name: m
    targets: [{ provider: a, model: up-a }]
  - name: other
    targets: [{ provider: b, model: up-b }]
auth: { mode: required }
server: { bodyLimitBytes: 1048576 }
admin:
  loginThrottle: { maxFailures: 3, ipMaxFailures: 8, windowSeconds: 60, lockSeconds: 2, maxLockSeconds: 30 }
`);
    const env = {
      LLMP_CONFIG: config,
      CANARY_UPSTREAM_A: upstreamKeyA,
      CANARY_UPSTREAM_B: upstreamKeyB,
      LLMP_MASTER_KEY: master,
      LLMP_DATA_DIR: mkdtempSync(join(tmpdir(), 'llmp-attacks-')),
      LLMP_LOG_LEVEL: 'debug',
    };
    [admin, api] = await Promise.all([
      spawnAdmin(env, { onSpawn: (c) => canary.capture(c, 'admin') }),
      spawnApi(env, { onSpawn: (c) => canary.capture(c, 'api') }),
    ]);
    workers = await startWorkers();

    const key = await adminCall('POST', '/admin/v1/keys', { name: 'attack-client', allowedModels: ['m'] });
    expect(key.status).toBe(201);
    clientKey = key.json.key;
    keyId = key.json.id;
    expect((await adminCall('POST', '/admin/v1/users', { email: userEmail, password, role: 'viewer' })).status).toBe(201);
  }, 90_000);

  afterAll(async () => {
    await stopPlanes(workers, api, admin);
    await Promise.all([upA.close(), upB.close()]);
    await dropDatabase?.();
  });

  faultCase('attack', 'upstream-steering body fields and headers never change where a request goes', async (ctx) => {
    const steeringBody = {
      api_base: 'http://127.0.0.1:1/v1',
      base_url: 'http://169.254.169.254/latest',
      baseURL: 'http://127.0.0.1:1',
      api_key: 'sk-attacker',
      provider: 'b',
      custom_llm_provider: 'b',
      extra_headers: { authorization: 'Bearer sk-attacker' },
      headers: { host: 'evil.example' },
    };
    const steeringHeaders = {
      'x-llmp-upstream': 'http://evil.example',
      'x-llmp-provider': 'b',
      'x-provider': 'b',
      'x-api-base': 'http://evil.example',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'gopher',
      'openai-base-url': 'http://evil.example',
    };
    const ids: string[] = [];
    const send = async (path: string, body: Record<string, unknown>, stream = false) => {
      const id = `steer-${randomBytes(4).toString('hex')}`;
      ids.push(id);
      const res = await chat({ ...body, ...steeringBody, ...(stream && { stream: true }) }, { ...steeringHeaders, 'x-request-id': id }, path);
      expect({ path, stream, status: res.status }).toEqual({ path, stream, status: 200 });
      expect(res.text).not.toContain('STEERED');
    };
    const before = upA.requests.length;
    await send('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    await send('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'hi' }] }, true);
    await send('/v1/messages', { model: 'm', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });
    // A Host header naming the other upstream changes nothing either.
    const hosted = await raw(api.url, `POST /v1/chat/completions HTTP/1.1\r\nHost: ${new URL(baseB).host}\r\nauthorization: Bearer ${clientKey}\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: 59\r\n\r\n{"model":"m","messages":[{"role":"user","content":"hi!!"}]}`);
    canary.sawResponse('api raw host', hosted.head + hosted.body);
    expect(hosted.status).toBe(200);

    expect(upB.requests).toHaveLength(0);
    const seen = upA.requests.slice(before);
    expect(seen).toHaveLength(4);
    for (const r of seen) {
      expect(r.url).toBe('/v1/chat/completions');
      expect(r.headers.authorization).toBe(`Bearer ${upstreamKeyA}`);
      expect(r.headers.host).toBe(new URL(`http://${r.headers.host}`).host);
      for (const field of Object.keys(steeringBody)) expect({ field, present: field in r.body }).toEqual({ field, present: false });
      for (const header of Object.keys(steeringHeaders)) expect({ header, forwarded: header in r.headers }).toEqual({ header, forwarded: false });
      expect(JSON.stringify(r)).not.toContain(clientKey);
    }
    ctx.lost(await missingLedger(ids), 'ledger rows');
  });

  faultCase('attack', 'hostile Host, X-Forwarded-* and path variants never reach admin routes without auth; loopback-only cannot be spoofed', async () => {
    const variants = [
      '/admin/v1/keys', '//admin/v1/keys', '/admin//v1/keys', '/admin/v1/../v1/keys', '/admin/v1/../admin/v1/keys', '/./admin/v1/keys',
      '/admin/v1/%2e%2e/v1/keys', '/admin/v1/%2E%2E/admin/v1/keys', '/ADMIN/v1/keys', '/Admin/V1/Keys', '/admin/v1/keys/', '/admin/v1/keys;x=1',
      '/admin/v1;/keys', '/admin;jsessionid=1/v1/keys', '/admin%2fv1%2fkeys', '/admin/v1%2Fkeys', '/%61dmin/v1/keys', '/admin/v1/keys%00',
      '/admin/v1/keys?limit=1', '/admin/v1/keys/..%2f..%2fusers', '/admin/v1/users', '/admin/v1/audit', `/admin/v1/keys/${keyId}`,
    ];
    const hostile = {
      host: 'localhost',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-host': 'localhost',
      'x-forwarded-proto': 'https',
      'x-real-ip': '127.0.0.1',
      forwarded: 'for=127.0.0.1;proto=https;host=localhost',
      'x-original-url': '/health/live',
      'x-rewrite-url': '/health/live',
    };
    // From loopback without a credential (and with wrong ones): never a 2xx, never a key in the body.
    for (const path of variants) {
      for (const cred of [{}, { authorization: 'Bearer llmp_not_the_master_key_0000000000' }] as Record<string, string>[]) {
        const r = await raw(admin.url, get(path, { ...hostile, ...cred }), { localAddress: '127.0.0.3' });
        canary.sawResponse(`admin raw ${path}`, r.head + r.body);
        // Paths outside the API fall through to the console's static shell (HTML, no data); anything else is a 4xx.
        const shell = r.status === 200 && /^content-type: text\/html/im.test(r.head) && r.body.includes('<!doctype html>');
        expect({ path, cred, status: r.status, ok: shell || (r.status >= 400 && r.status < 500) }).toEqual({ path, cred, status: r.status, ok: true });
        expect(r.body).not.toMatch(/"keyPrefix"|"email"|"data":\[/);
      }
    }
    // From a non-loopback peer, even with the master key and every header claiming loopback: 403, health stays open.
    const external = externalAddress();
    const remoteUrl = admin.url.replace('127.0.0.1', external);
    for (const path of [...variants, '/', '/docs', '/docs-json', '/metrics/', '/health/live/..%2f..%2fadmin/v1/keys']) {
      const r = await raw(remoteUrl, get(path, { ...hostile, ...masterAuth }));
      canary.sawResponse(`admin remote ${path}`, r.head + r.body);
      expect({ path, status: r.status }).toEqual({ path, status: 403 });
    }
    expect((await raw(remoteUrl, get('/health/live', hostile))).status).toBe(200);
    const post = await raw(
      remoteUrl,
      `POST /admin/v1/keys HTTP/1.1\r\nhost: localhost\r\nx-forwarded-for: 127.0.0.1\r\nauthorization: Bearer ${master}\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: 15\r\n\r\n{"name":"evil"}`,
    );
    expect(post.status).toBe(403);
    // The data plane serves no admin route under any spelling.
    for (const path of ['/admin/v1/keys', '//admin/v1/keys', '/v1/../admin/v1/keys']) {
      const r = await raw(api.url, get(path, masterAuth));
      expect({ path, status: r.status }).toEqual({ path, status: 404 });
    }
    const keys = await adminCall('GET', '/admin/v1/keys?q=evil');
    expect(keys.json.data).toHaveLength(0);
  });

  faultCase('attack', 'header injection (CR/LF, NUL, obs-fold) is rejected and echoed ids are sanitized', async () => {
    for (const target of [api.url, admin.url]) {
      for (const bad of ['x-request-id: abc\rSet-Cookie: pwn=1', 'x-request-id: abc\nSet-Cookie: pwn=1', 'x-request-id: a\u0000b', 'x-request-id: abc\r\n folded: pwn=1', 'x-evil\r\n: 1']) {
        const r = await raw(target, `GET /health/live HTTP/1.1\r\nHost: x\r\n${bad}\r\nconnection: close\r\n\r\n`);
        expect({ target, bad, status: r.status }).toEqual({ target, bad, status: 400 });
        expect(r.head).not.toMatch(/pwn|folded/i);
        // Refused by Node's parser before any route: still the plane's own envelope, never Fastify's bare body.
        const error = JSON.parse(r.body).error;
        expect(error).toMatchObject({ code: 'invalid_request_error', message: expect.any(String) });
        if (target === api.url) expect(error).toMatchObject({ type: 'invalid_request_error', param: null });
      }
      const huge = await raw(target, `GET /health/live HTTP/1.1\r\nHost: x\r\nx-big: ${'a'.repeat(20_000)}\r\nconnection: close\r\n\r\n`);
      expect({ target, status: huge.status }).toEqual({ target, status: 431 });
      expect(JSON.parse(huge.body).error).toMatchObject({ code: 'request_too_large' });
    }
    // Values a parser accepts but we must not echo verbatim: percent-encoded CRLF, 8-bit bytes, an enormous id.
    for (const id of ['abc%0d%0aSet-Cookie:%20pwn=1', Buffer.from([0x61, 0x62, 0x63, 0xe9, 0x0b, 0x64]).toString('latin1'), 'a'.repeat(5000)]) {
      const r = await raw(api.url, Buffer.from(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nauthorization: Bearer ${clientKey}\r\ncontent-type: application/json\r\nx-request-id: ${id}\r\nconnection: close\r\ncontent-length: 56\r\n\r\n{"model":"m","messages":[{"role":"user","content":"x"}]}`, 'latin1'));
      canary.sawResponse('api raw request-id', r.head + r.body);
      // The HTTP parser refuses control characters outright; otherwise the request is served under a fresh id.
      if (/[\x00-\x08\x0a-\x1f\x7f]/.test(id)) {
        expect(r.status).toBe(400);
        continue;
      }
      expect(r.status).toBe(200);
      const echoed = /^x-request-id: (.*)$/im.exec(r.head)?.[1] ?? '';
      expect(echoed).toMatch(/^[A-Za-z0-9._:~-]{8,128}$/);
      expect(r.head).not.toMatch(/^set-cookie/im);
    }
    expect((await chat({ model: 'm', messages: [{ role: 'user', content: 'still serving' }] })).status).toBe(200);
  });

  faultCase('attack', 'a slow-body client and 500 idle connections hold sockets, not the data plane', async (ctx) => {
    // A body trickling in holds one socket; others are served meanwhile (its cut-off: test/production/slow-body).
    const slow = raw(api.url, `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nauthorization: Bearer ${clientKey}\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{"model"`, { waitMs: 1500 });
    const t0 = performance.now();
    expect((await fetch(`${api.url}/health/live`)).status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(500);
    await slow;

    const rss = (): number => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${api.child.pid}/status`, 'utf8'))?.[1]) * 1024;
    const before = rss();
    const { port } = new URL(api.url);
    const sockets = await Promise.all(
      Array.from({ length: 500 }, () => new Promise<Socket>((resolve) => {
        const s = connect(Number(port), '127.0.0.1', () => resolve(s));
        s.on('error', () => resolve(s));
      })),
    );
    const id = `idle-${randomBytes(4).toString('hex')}`;
    const served = await chat({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }, { 'x-request-id': id });
    const grown = rss() - before;
    for (const s of sockets) s.destroy();
    expect(served.status).toBe(200);
    ctx.note(`RSS +${Math.round(grown / 1024 / 1024)} MB with 500 idle connections`);
    expect(grown).toBeLessThan(200 * 1024 * 1024);
    ctx.lost(await missingLedger([id]), 'ledger rows');
  });

  faultCase('attack', 'oversized and deeply nested JSON answer 413/400 in the caller\'s envelope and the service continues', async () => {
    const big = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'a'.repeat(2 * 1024 * 1024) }] });
    const openai = await chat(big);
    expect(openai.status).toBe(413);
    expect(openai.json().error).toMatchObject({ type: 'invalid_request_error', code: 'request_too_large' });
    const anthropic = await chat(big, {}, '/v1/messages');
    expect(anthropic.status).toBe(413);
    expect(anthropic.json()).toMatchObject({ type: 'error', error: { type: expect.any(String), message: expect.any(String) } });
    const adminBig = await adminCall('POST', '/admin/v1/keys', { name: 'x', metadata: { blob: 'b'.repeat(2 * 1024 * 1024) } });
    expect(adminBig.status).toBe(413);
    expect(adminBig.json.error).toMatchObject({ code: 'request_too_large' });
    // A body declared far past any limit is not read to its end: 413 and the connection closes.
    const declaredHuge = await raw(api.url, `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${clientKey}\r\ncontent-type: application/json\r\ncontent-length: ${10 * 1024 ** 3}\r\n\r\n{"model":"m"`);
    expect(declaredHuge.status).toBe(413);
    expect(declaredHuge.head).toMatch(/^connection: close/im);
    // The refusal comes before the body has arrived; the client must still read it every time, not a reset socket.
    for (let i = 0; i < 6; i++) {
      expect((await chat(big)).status).toBe(413);
      expect((await adminCall('POST', '/admin/v1/keys', { name: 'x', metadata: { blob: 'b'.repeat(2 * 1024 * 1024) } })).status).toBe(413);
    }

    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    // Real documents nest a few levels; a hundred still passes, past the limit (128) it is a 400, never a crash.
    expect((await chat(`{"model":"m","messages":[{"role":"user","content":"hi"}],"x":${deep(100)}}`)).status).toBe(200);
    for (const depth of [1_000, 100_000]) {
      const inContent = await chat(`{"model":"m","messages":[{"role":"user","content":${deep(depth)}}]}`);
      expect({ depth, status: inContent.status }).toEqual({ depth, status: 400 });
      expect(inContent.json().error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_request_error' });
      const unknownField = await chat(`{"model":"m","messages":[{"role":"user","content":"hi"}],"x":${deep(depth)}}`);
      expect({ depth, status: unknownField.status }).toEqual({ depth, status: 400 });
      const anthropicDeep = await chat(`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"metadata":${deep(depth)}}`, {}, '/v1/messages');
      expect({ depth, status: anthropicDeep.status }).toEqual({ depth, status: 400 });
      expect(anthropicDeep.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      const adminDeep = await fetch(`${admin.url}/admin/v1/keys`, {
        method: 'POST',
        headers: { ...masterAuth, 'content-type': 'application/json' },
        body: `{"name":"deep","metadata":{"a":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}}`,
      });
      const adminText = await adminDeep.text();
      canary.sawResponse('admin deep', adminText);
      expect({ depth, status: adminDeep.status }).toEqual({ depth, status: 400 });
      expect(JSON.parse(adminText).error).toMatchObject({ code: 'invalid_request_error' });
    }
    expect((await chat({ model: 'm', messages: [{ role: 'user', content: 'still serving' }] })).status).toBe(200);
    expect((await adminCall('GET', '/admin/v1/keys?limit=1')).status).toBe(200);
  });

  faultCase('attack', 'NUL bytes and lone surrogates in prompts, key names and search parameters: no 500, no database error text, ledger complete', async (ctx) => {
    const ids: string[] = [];
    const sendChat = async (body: string, expected: number) => {
      const id = `nul-${randomBytes(4).toString('hex')}`;
      ids.push(id);
      const res = await chat(body, { 'x-request-id': id });
      expect({ body: body.slice(0, 80), status: res.status }).toEqual({ body: body.slice(0, 80), status: expected });
      expect(res.text).not.toMatch(DB_ERROR_TEXT);
    };
    await sendChat('{"model":"m","messages":[{"role":"user","content":"a\\u0000b \\ud800 c \\udfff"}]}', 200);
    await sendChat('{"model":"m","stream":true,"messages":[{"role":"user","content":"\\u0000\\ud83d"}]}', 200);
    await sendChat('{"model":"m\\u0000x","messages":[{"role":"user","content":"hi"}]}', 404);
    await sendChat('{"model":"\\ud800","messages":[{"role":"user","content":"hi"}]}', 404);
    await sendChat('{"model":"m","messages":[{"role":"user\\u0000","content":"hi"}]}', 200);
    // Invalid UTF-8 bytes (not escapes) in a prompt: replaced or refused, never a 500.
    const invalidUtf8 = Buffer.concat([Buffer.from('{"model":"m","messages":[{"role":"user","content":"'), Buffer.from([0xc3, 0x28, 0xff, 0xed, 0xa0, 0x80]), Buffer.from('"}]}')]);
    const bytesId = `nul-${randomBytes(4).toString('hex')}`;
    const bytes = await canary.fetch('api invalid utf-8', `${api.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${clientKey}`, 'x-request-id': bytesId },
      body: invalidUtf8,
    });
    expect([200, 400]).toContain(bytes.status);
    if (bytes.status === 200) ids.push(bytesId);

    for (const name of ['nul\u0000name', 'lone \ud800 surrogate', 'low \udfff', '\u0000']) {
      const res = await adminCall('POST', '/admin/v1/keys', { name });
      expect({ name, status: res.status, ok: res.status === 201 || res.status === 400 }).toEqual({ name, status: res.status, ok: true });
      expect(JSON.stringify(res.json)).not.toMatch(DB_ERROR_TEXT);
      if (res.status === 201) {
        const back = await adminCall('GET', `/admin/v1/keys/${res.json.id}`);
        expect(back.status).toBe(200);
      }
    }
    for (const query of ['/admin/v1/keys?q=%00', '/admin/v1/keys?q=a%00b', '/admin/v1/keys?q=%ED%A0%80', '/admin/v1/keys?q=%FF', '/admin/v1/audit?target=%00', '/admin/v1/audit?action=%ED%A0%80', '/admin/v1/usage/records?model=%00', '/admin/v1/usage?model=%ED%A0%80']) {
      const res = await adminCall('GET', query);
      expect({ query, status: res.status, ok: res.status === 200 || res.status === 400 }).toEqual({ query, status: res.status, ok: true });
      expect(JSON.stringify(res.json)).not.toMatch(DB_ERROR_TEXT);
    }
    ctx.lost(await missingLedger(ids), 'ledger rows');
  });

  faultCase('attack', 'search parameters with % and _ match literally and answer fast over thousands of rows', async () => {
    const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    try {
      await db.query(
        `INSERT INTO "ApiKey" (id, name, "keyHash", "keyPrefix", "updatedAt")
         SELECT 'key_bulk_' || i, 'bulk name ' || i || CASE WHEN i % 500 = 0 THEN ' 100% literal_x' ELSE '' END,
                encode(sha256(('bulk' || i)::bytea), 'hex'), 'llmp_bulk', now()
         FROM generate_series(1, 4000) i`,
      );
    } finally {
      await db.end();
    }
    const search = async (path: string) => {
      const t0 = performance.now();
      const res = await adminCall('GET', path);
      const ms = performance.now() - t0;
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect({ path, fast: ms < 500 }).toEqual({ path, fast: true });
      return res.json.data as { name: string }[];
    };
    await search('/admin/v1/keys?limit=1'); // warm
    const percent = await search(`/admin/v1/keys?q=${encodeURIComponent('%')}&limit=200`);
    expect(percent.map((k) => k.name).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `bulk name ${(i + 1) * 500} 100% literal_x`).sort());
    const underscore = await search(`/admin/v1/keys?q=${encodeURIComponent('_')}&limit=200`);
    expect(underscore.every((k) => k.name.includes('_'))).toBe(true);
    expect(underscore.filter((k) => k.name.startsWith('bulk'))).toHaveLength(8);
    expect(await search(`/admin/v1/keys?q=${encodeURIComponent('bulk%name')}&limit=200`)).toHaveLength(0);
    expect(await search(`/admin/v1/keys?q=${encodeURIComponent('name_1')}&limit=200`)).toHaveLength(0);
    expect(await search(`/admin/v1/keys?q=${encodeURIComponent('0% LITERAL_')}&limit=200`)).toHaveLength(8);
    expect(await search(`/admin/v1/keys?q=${encodeURIComponent('\\')}&limit=200`)).toHaveLength(0);
    for (const path of ['/admin/v1/audit?action=%25', '/admin/v1/audit?target=_%25', '/admin/v1/audit?actor=%25', '/admin/v1/usage/records?model=%25', '/admin/v1/usage/records?model=_']) {
      expect(await search(path)).toHaveLength(0);
    }
  });

  faultCase('attack', 'admin login brute force is slowed: 429 with Retry-After per email (known or not) and per address, audited', async (ctx) => {
    const login = (email: string, pw: string, localAddress = '127.0.0.4') =>
      raw(admin.url, `POST /admin/v1/auth/login HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(JSON.stringify({ email, password: pw }))}\r\n\r\n${JSON.stringify({ email, password: pw })}`, { localAddress });
    const ghost = `ghost-${randomBytes(3).toString('hex')}@example.com`;
    const seen: Record<string, number[]> = { [userEmail]: [], [ghost]: [] };
    const bodies: Record<string, string> = {};
    for (const email of [userEmail, ghost]) {
      for (let i = 0; i < 3; i++) seen[email].push((await login(email, 'wrong password')).status);
      const locked = await login(email, email === userEmail ? password : 'wrong password');
      seen[email].push(locked.status);
      bodies[email] = locked.body;
      expect(Number(/^retry-after: (\d+)/im.exec(locked.head)?.[1])).toBeGreaterThanOrEqual(1);
    }
    expect(seen).toEqual({ [userEmail]: [401, 401, 401, 429], [ghost]: [401, 401, 401, 429] });
    expect(JSON.parse(bodies[userEmail])).toEqual(JSON.parse(bodies[ghost]));
    expect(JSON.parse(bodies[ghost]).error.code).toBe('rate_limit_exceeded');

    // Wrong master keys from one address: past ipMaxFailures the wrong ones get 429; the right key is never refused.
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await raw(admin.url, get('/admin/v1/keys', { 'x-management-key': `${master}-${i}` }), { localAddress: '127.0.0.5' })).status);
    expect(statuses).toEqual(Array(8).fill(401));
    const refused = await raw(admin.url, get('/admin/v1/keys', { 'x-management-key': `${master}-8` }), { localAddress: '127.0.0.5' });
    expect(refused.status).toBe(429);
    expect(refused.head).toMatch(/^retry-after: \d+/im);
    expect((await raw(admin.url, get('/admin/v1/keys?limit=1', masterAuth), { localAddress: '127.0.0.5' })).status).toBe(200);
    expect((await raw(admin.url, get('/admin/v1/keys?limit=1', masterAuth), { localAddress: '127.0.0.6' })).status).toBe(200);

    // After the lock the right password works again.
    await new Promise((r) => setTimeout(r, 2100));
    expect((await login(userEmail, password, '127.0.0.7')).status).toBe(200);

    // Each lockout reaches the audit log (through the audit writer).
    const targets = [`user:${userEmail}`, `user:${ghost}`, 'ip:127.0.0.5'];
    const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    try {
      const found = async () => new Set((await db.query(`SELECT target FROM "AuditEvent" WHERE action = 'auth.lockout' AND target = ANY($1)`, [targets])).rows.map((r: { target: string }) => r.target));
      await waitFor('lockout audit events', async () => (await found()).size === targets.length, 15_000).catch(() => undefined);
      ctx.lost(targets.length - (await found()).size, 'lockout audit events');
    } finally {
      await db.end();
    }
  });

  faultCase('attack', 'canary secrets never appear in any response, log line, Postgres row, Redis key or value, or queued job', async (ctx) => {
    // A mixed workload with the workers stopped, so every job still sits in Redis when it is scanned.
    ctx.step('stopping the workers');
    await workers?.close();
    workers = undefined;
    const ids: string[] = [];
    const id = (): string => {
      ids.push(`canary-${randomBytes(4).toString('hex')}`);
      return ids[ids.length - 1];
    };
    ctx.step('data plane requests');
    expect((await chat({ model: 'm', messages: [{ role: 'user', content: 'hello' }] }, { 'x-request-id': id() })).status).toBe(200);
    expect((await chat({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hello' }] }, { 'x-request-id': id() })).status).toBe(200);
    expect((await chat({ model: 'm', messages: [{ role: 'user', content: 'explode upstream' }] }, { 'x-request-id': id() })).status).toBe(502);
    expect((await chat({ model: 'other', messages: [{ role: 'user', content: 'hi' }] }, { 'x-request-id': id() })).status).toBe(400);
    // Secrets offered in the wrong place are refused without being echoed.
    for (const wrong of [master, upstreamKeyA, `${clientKey}x`]) {
      expect((await chat({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }, { authorization: `Bearer ${wrong}` })).status).toBe(401);
    }
    ctx.step('admin calls');
    const team = await adminCall('POST', '/admin/v1/teams', { name: `canary-team-${randomBytes(3).toString('hex')}` });
    expect(team.status).toBe(201);
    expect((await adminCall('PATCH', `/admin/v1/keys/${keyId}`, { teamId: team.json.id, metadata: { owner: 'attack-suite' } })).status).toBe(200);
    const rotated = await adminCall('POST', `/admin/v1/keys/${keyId}/rotate`, { gracePeriodSeconds: 60 });
    expect(rotated.status).toBe(200);
    const signedIn = await adminCall('POST', '/admin/v1/auth/login', { email: userEmail, password }, {});
    expect(signedIn.status).toBe(200);
    expect((await adminCall('GET', '/admin/v1/keys?limit=5', undefined, { authorization: `Bearer ${signedIn.json.token}` })).status).toBe(200);
    const spare = await adminCall('POST', '/admin/v1/keys', { name: 'spare', allowedModels: ['m'] });
    expect((await adminCall('POST', `/admin/v1/keys/${spare.json.id}/revoke`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300)); // the producer batches its queue writes

    // The scan below must see the jobs themselves (payloads in BullMQ hashes), not an already-drained queue.
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const waiting = await redis.llen(`${process.env.LLMP_REDIS_PREFIX}bull:usage:wait`).finally(() => redis.disconnect());
    expect(waiting).toBeGreaterThan(0);
    ctx.step('scanning with the jobs queued');
    const queued = await canary.scan();
    ctx.step('starting the workers');
    workers = await startWorkers();
    ctx.step('waiting for the ledger rows');
    ctx.lost(await missingLedger(ids), 'ledger rows');
    ctx.step('scanning after the workers');
    const afterWorkers = await canary.scan();
    const hits = [...queued, ...afterWorkers];
    ctx.note(`${canary.values.length} canaries; scanned ${canary.output('api').length + canary.output('admin').length} bytes of process output`);
    expect(canary.output('api').length).toBeGreaterThan(0);
    expect(canary.output('admin').length).toBeGreaterThan(0);
    expect(hits).toEqual([]);
  }, 120_000);
});
