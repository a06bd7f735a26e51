import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import pg from 'pg';
import { chatCompletion, FakeUpstream } from '../support/fake-upstream';
import { useIsolatedDatabase } from '../support/isolated-database';
import { parseJsonOrNull } from '../support/http-json';
import { spawnAdmin, spawnApi, startWorkers, stopPlanes, waitFor, writeConfig, type ApiProcess } from '../production/production.fixture';
import { faultCase } from './fault-report';

/** What a raw HTTP/1.1 exchange gave back. */
interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- assertions read arbitrary JSON shapes
}

/**
 * One HTTP/1.1 request over a socket bound to `from` (a loopback address of its own per case, so the per-address
 * counts of the cases never mix), headers exactly as given (X-Forwarded-For included).
 */
function send(
  base: string,
  method: string,
  path: string,
  opts: { from?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawReply> {
  const { port, hostname } = new URL(base);
  const headers: Record<string, string> = { host: 'localhost', connection: 'close', ...opts.headers };
  if (opts.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(opts.body));
  }
  const request = `${method} ${path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${opts.body ?? ''}`;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect({ port: Number(port), host: hostname, localAddress: opts.from });
    const timer = setTimeout(() => s.destroy(new Error(`${method} ${path}: no answer in 20 s`)), 20_000);
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const head = split === -1 ? text : text.slice(0, split);
      let body = split === -1 ? '' : text.slice(split + 4);
      const lines = head.split('\r\n');
      const hs: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const i = line.indexOf(':');
        if (i > 0) hs[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      if (hs['transfer-encoding'] === 'chunked') {
        let out = '';
        let rest = body;
        for (;;) {
          const nl = rest.indexOf('\r\n');
          const size = parseInt(rest.slice(0, nl), 16);
          if (!size) break;
          out += rest.slice(nl + 2, nl + 2 + size);
          rest = rest.slice(nl + 2 + size + 2);
        }
        body = out;
      }
      // Not JSON (the console's HTML, an asset): null.
      const json = parseJsonOrNull(body);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), headers: hs, body, json });
    });
    s.write(request);
  });
}

/** A non-loopback address of this machine: connecting to it from here makes the peer address non-loopback. */
function externalAddress(): string {
  const a = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
  if (!a) throw new Error('this machine has no non-loopback IPv4 address');
  return a.address;
}

/** The control plane's contract for an out-of-range or oversized field: 400 in the admin envelope, the field named. */
function expectFieldRefused(r: RawReply, field: string, what: string): void {
  expect({ what, status: r.status, code: r.json?.error?.code }).toEqual({ what, status: 400, code: 'invalid_request_error' });
  expect({ what, message: r.json.error.message }).toEqual({ what, message: expect.stringContaining(field) });
}

/**
 * The control plane's credentials and lockout, its number and string bounds, `server.trustedProxies` on both planes
 * and the security headers, against built processes with real Postgres and Redis.
 */
describe('attacks on admin credentials', () => {
  const master = `llmp_admin_${randomBytes(24).toString('base64url')}`;
  const masterAuth = { authorization: `Bearer ${master}` };
  const up = new FakeUpstream();
  /** Loopback-only control plane, trusting the "proxy" at 127.0.0.8 (the loopback rule is tested here). */
  let admin: ApiProcess;
  /** The same install, opened to remote clients (admin.allowRemote), so per-address limits can be seen per forwarded client. */
  let remoteAdmin: ApiProcess;
  let api: ApiProcess;
  let workers: INestApplicationContext | undefined;
  let dropDatabase: () => Promise<void>;
  let keyId: string;
  let teamId: string;
  let clientKey: string;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const email = `admin-${randomBytes(3).toString('hex')}@example.com`;
  let userId: string;

  const call = (method: string, path: string, body?: unknown, opts: { from?: string; headers?: Record<string, string>; base?: string } = {}) =>
    send(opts.base ?? admin.url, method, path, {
      from: opts.from ?? '127.0.0.1',
      headers: opts.headers ?? masterAuth,
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  const signIn = async (pw = password): Promise<string> => {
    const r = await call('POST', '/admin/v1/auth/login', { email, password: pw }, { headers: {}, from: '127.0.0.30' });
    expect(r.status).toBe(200);
    return r.json.token as string;
  };

  beforeAll(async () => {
    dropDatabase = await useIsolatedDatabase();
    const base = await up.start();
    up.behavior = (req) => ({ json: chatCompletion(req, 'ok') });
    const throttle = 'loginThrottle: { maxFailures: 3, ipMaxFailures: 6, windowSeconds: 60, lockSeconds: 2, maxLockSeconds: 30 }';
    const common = `
providers:
  - { name: a, type: openai, baseUrl: ${base}, apiKey: sk-test }
models:
  - name: m
    targets: [{ provider: a, model: up-m }]
  - name: n
    targets: [{ provider: a, model: up-n }]
auth: { mode: required }
`;
    const env = { LLMP_MASTER_KEY: master, LLMP_DATA_DIR: mkdtempSync(join(tmpdir(), 'llmp-attack-admin-')) };
    // One after another: three processes booting at once on a busy machine can miss the readiness wait.
    admin = await spawnAdmin({ ...env, LLMP_CONFIG: writeConfig(`${common}server: { trustedProxies: ["127.0.0.8", "::1/128", "fd00::/8"] }\nadmin: { ${throttle} }\n`) });
    remoteAdmin = await spawnAdmin({ ...env, LLMP_CONFIG: writeConfig(`${common}server: { trustedProxies: ["127.0.0.8/32"] }\nadmin: { allowRemote: true, ${throttle} }\n`) });
    api = await spawnApi({ ...env, LLMP_CONFIG: writeConfig(`${common}server: { trustedProxies: ["127.0.0.8/32"] }\n`) });
    workers = await startWorkers();
    const key = await call('POST', '/admin/v1/keys', { name: 'k', allowedModels: ['m'] });
    expect(key.status).toBe(201);
    keyId = key.json.id;
    clientKey = key.json.key;
    const team = await call('POST', '/admin/v1/teams', { name: `t-${randomBytes(3).toString('hex')}` });
    expect(team.status).toBe(201);
    teamId = team.json.id;
    const user = await call('POST', '/admin/v1/users', { email, password, role: 'admin' });
    expect(user.status).toBe(201);
    userId = user.json.id;
  }, 180_000);

  afterAll(async () => {
    await stopPlanes(workers, api, admin, remoteAdmin);
    await up.close();
    await dropDatabase?.();
  });

  faultCase('attack', 'bad admin bearers from one address never lock out the valid master key or an admin token; the bad ones get 429 + Retry-After', async (ctx) => {
    const from = '127.0.0.21';
    const token = await signIn();
    const guesses: Record<string, string>[] = [
      { authorization: `Bearer ${master}x` },
      { authorization: 'Bearer llmpadm_' + 'A'.repeat(43) },
      { 'x-management-key': 'wrong' },
      { authorization: 'Basic YWRtaW46YWRtaW4=' },
    ];
    const bad: RawReply[] = [];
    for (let i = 0; i < 24; i++) bad.push(await call('GET', '/admin/v1/keys?limit=1', undefined, { from, headers: guesses[i % guesses.length] }));
    // ipMaxFailures is 6: the first six are answered 401, every later failure 429 with Retry-After.
    expect(bad.map((r) => r.status)).toEqual([...Array(6).fill(401), ...Array(18).fill(429)]);
    for (const r of bad.slice(6)) {
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(r.json.error.code).toBe('rate_limit_exceeded');
    }
    // The valid credentials from the same address, while it is locked for failures: always answered.
    const valid = await Promise.all([
      call('GET', '/admin/v1/keys?limit=1', undefined, { from, headers: masterAuth }),
      call('GET', '/admin/v1/keys?limit=1', undefined, { from, headers: { 'x-management-key': master } }),
      call('GET', '/admin/v1/keys?limit=1', undefined, { from, headers: { authorization: `Bearer ${token}` } }),
      call('GET', '/admin/v1/users', undefined, { from, headers: { authorization: `bearer   ${token}` } }),
    ]);
    expect(valid.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    // ...and they do not reset the lock: the next bad guess is still 429.
    expect((await call('GET', '/admin/v1/keys', undefined, { from, headers: guesses[0] })).status).toBe(429);
    // Password sign-in stays throttled per address: the locked address gets 429 before the password is checked.
    expect((await call('POST', '/admin/v1/auth/login', { email, password }, { from, headers: {} })).status).toBe(429);
    // No credential at all is neither counted nor refused with 429.
    expect((await call('GET', '/admin/v1/keys', undefined, { from: '127.0.0.22', headers: {} })).status).toBe(401);
    ctx.note('24 bad credentials: 6 × 401, 18 × 429; master key (both headers) and admin token 200 from the locked address');
  });

  faultCase('attack', 'admin credentials only in Authorization / X-Management-Key: ?access_token= and body access_token are 401', async () => {
    const from = '127.0.0.23';
    const token = await signIn();
    for (const secret of [master, token]) {
      for (const q of ['access_token', 'accessToken', 'token', 'x-management-key', 'key']) {
        const r = await call('GET', `/admin/v1/keys?${q}=${encodeURIComponent(secret)}`, undefined, { from, headers: {} });
        expect({ q, status: r.status }).toEqual({ q, status: 401 });
        expect(r.body).not.toContain('keyPrefix');
      }
      const body = await call('POST', '/admin/v1/teams', { name: 'via-body', access_token: secret }, { from, headers: {} });
      expect(body.status).toBe(401);
      const form = await send(admin.url, 'POST', '/admin/v1/teams', {
        from,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `name=via-form&access_token=${encodeURIComponent(secret)}`,
      });
      expect(form.status).toBeGreaterThanOrEqual(400);
      expect(form.status).toBeLessThan(500);
      expect(form.status).not.toBe(201);
    }
    const teams = await call('GET', '/admin/v1/teams');
    expect(JSON.stringify(teams.json)).not.toMatch(/via-body|via-form/);
  });

  faultCase('attack', 'an admin session ends at once when the user\'s password, role or disabled state changes', async () => {
    const from = '127.0.0.24';
    const works = async (t: string) => (await call('GET', '/admin/v1/keys?limit=1', undefined, { from, headers: { authorization: `Bearer ${t}` } })).status;
    const t1 = await signIn();
    expect(await works(t1)).toBe(200);
    // A change that changes nothing (same role) keeps the session.
    expect((await call('PATCH', `/admin/v1/users/${userId}`, { role: 'admin' })).status).toBe(200);
    expect(await works(t1)).toBe(200);

    const newPassword = `pw-${randomBytes(12).toString('hex')}`;
    expect((await call('PATCH', `/admin/v1/users/${userId}`, { password: newPassword })).status).toBe(200);
    expect(await works(t1)).toBe(401);
    const t2 = await signIn(newPassword);
    expect(await works(t2)).toBe(200);

    expect((await call('PATCH', `/admin/v1/users/${userId}`, { role: 'viewer' })).status).toBe(200);
    expect(await works(t2)).toBe(401);
    const t3 = await signIn(newPassword);
    expect(await works(t3)).toBe(200);

    expect((await call('PATCH', `/admin/v1/users/${userId}`, { disabled: true })).status).toBe(200);
    expect(await works(t3)).toBe(401);
    // Enabling the user again does not bring an old session back.
    expect((await call('PATCH', `/admin/v1/users/${userId}`, { disabled: false, role: 'admin', password })).status).toBe(200);
    for (const t of [t1, t2, t3]) expect(await works(t)).toBe(401);
    expect(await works(await signIn())).toBe(200);
  });

  faultCase('attack', 'out-of-range numbers and oversized strings on the admin API are 400 with the field named, never 500', async (ctx) => {
    const policyVariants: [string, string, string][] = [
      ['rpm', '{"rpm": 1e20}', 'rpm'],
      ['rpm', '{"rpm": 2147483648}', 'rpm'],
      ['rpm', '{"rpm": -1}', 'rpm'],
      ['rpm', '{"rpm": 1.5}', 'rpm'],
      ['tpm', '{"tpm": 9007199254740993}', 'tpm'],
      ['tpm', '{"tpm": 1e308}', 'tpm'],
      ['maxParallel', '{"maxParallel": 2147483648}', 'maxParallel'],
      ['maxParallel', '{"maxParallel": 0}', 'maxParallel'],
      ['budgetUsd', '{"budgetUsd": 1e12}', 'budgetUsd'],
      ['budgetUsd', '{"budgetUsd": 1e15}', 'budgetUsd'],
      ['budgetUsd', '{"budgetUsd": 0.0000001}', 'budgetUsd'],
      ['budgetUsd', '{"budgetUsd": -0.5}', 'budgetUsd'],
      ['modelLimits', '{"modelLimits": {"m": {"rpm": 2147483648}}}', 'modelLimits.m.rpm'],
      ['modelLimits', '{"modelLimits": {"m": {"tpm": 1e20}}}', 'modelLimits.m.tpm'],
      ['modelLimits', '{"modelLimits": {"m": {"rpm": 0.5}}}', 'modelLimits.m.rpm'],
      ['modelLimits', '{"modelLimits": {"m": {"rpm": -3}}}', 'modelLimits.m.rpm'],
      ['modelLimits', `{"modelLimits": {"${'x'.repeat(300)}": {"rpm": 1}}}`, 'modelLimits'],
      ['perModelMaxTokens', '{"perModelMaxTokens": {"m": 1e20}}', 'perModelMaxTokens.m'],
      ['perModelMaxTokens', '{"perModelMaxTokens": {"*": 2147483648}}', 'perModelMaxTokens.*'],
      ['perModelMaxTokens', '{"perModelMaxTokens": {"m": 0.5}}', 'perModelMaxTokens.m'],
      ['perModelMaxTokens', `{"perModelMaxTokens": {${Array.from({ length: 501 }, (_, i) => `"m${i}": 1`).join(',')}}}`, 'perModelMaxTokens'],
      ['modelAliases', `{"modelAliases": {${Array.from({ length: 501 }, (_, i) => `"a${i}": "m"`).join(',')}}}`, 'modelAliases'],
      ['modelAliases', `{"modelAliases": {"fast": "${'m'.repeat(257)}"}}`, 'modelAliases.fast'],
      ['allowedModels', `{"allowedModels": ["${'m'.repeat(257)}"]}`, 'allowedModels'],
      ['metadata', `{"metadata": {"blob": "${'x'.repeat(20_000)}"}}`, 'metadata'],
    ];
    let checked = 0;
    const merge = (json: string, extra: Record<string, unknown>) => JSON.stringify({ ...JSON.parse(json), ...extra });
    for (const [, body, field] of policyVariants) {
      const creates: [string, string][] = [
        ['/admin/v1/keys', merge(body, { name: `k-${checked}` })],
        ['/admin/v1/teams', merge(body, { name: `t-${checked}` })],
      ];
      for (const [path, b] of creates) {
        expectFieldRefused(await call('POST', path, b), field, `POST ${path} ${b.slice(0, 80)}`);
        checked++;
      }
      for (const path of [`/admin/v1/keys/${keyId}`, `/admin/v1/teams/${teamId}`]) {
        expectFieldRefused(await call('PATCH', path, body), field, `PATCH ${path} ${body.slice(0, 80)}`);
        checked++;
      }
    }
    const others: [string, string, string, string][] = [
      ['POST', `/admin/v1/keys/${keyId}/rotate`, '{"gracePeriodSeconds": 1e20}', 'gracePeriodSeconds'],
      ['POST', `/admin/v1/keys/${keyId}/rotate`, '{"gracePeriodSeconds": -1}', 'gracePeriodSeconds'],
      ['POST', `/admin/v1/keys/${keyId}/rotate`, '{"gracePeriodSeconds": 1.5}', 'gracePeriodSeconds'],
      ['POST', '/admin/v1/keys', `{"name": "${'n'.repeat(201)}"}`, 'name'],
      ['PATCH', `/admin/v1/teams/${teamId}`, `{"name": "${'n'.repeat(201)}"}`, 'name'],
      ['POST', '/admin/v1/users', `{"email": "${'e'.repeat(250)}@example.com", "password": "long enough password", "role": "viewer"}`, 'email'],
      ['POST', '/admin/v1/users', `{"email": "x@example.com", "password": "${'p'.repeat(300)}", "role": "viewer"}`, 'password'],
      ['POST', '/admin/v1/auth/login', `{"email": "x@example.com", "password": "${'p'.repeat(300)}"}`, 'password'],
      ['PUT', '/admin/v1/aliases/fast-alias', `{"target": "${'m'.repeat(257)}"}`, 'target'],
      ['PUT', '/admin/v1/prices/m', '{"inputPerMillion": 1e20, "outputPerMillion": 1}', 'inputPerMillion'],
      ['GET', '/admin/v1/keys?limit=1e20', '', 'limit'],
      ['GET', '/admin/v1/keys?limit=-1', '', 'limit'],
      ['GET', '/admin/v1/keys?limit=2.5', '', 'limit'],
      ['GET', '/admin/v1/audit?limit=99999999999999999999', '', 'limit'],
      ['GET', '/admin/v1/audit?cursor=9999999999999999999', '', 'cursor'],
      ['GET', '/admin/v1/audit?cursor=99999999999999999999', '', 'cursor'],
      ['GET', '/admin/v1/usage/records?cursor=9999999999999999999', '', 'cursor'],
      ['GET', '/admin/v1/usage/records?limit=1e9', '', 'limit'],
      ['GET', `/admin/v1/keys?q=${'q'.repeat(300)}`, '', 'q'],
    ];
    for (const [method, path, body, field] of others) {
      const r = await call(method, path, body || undefined, method === 'POST' && path.endsWith('/login') ? { headers: {}, from: '127.0.0.31' } : {});
      expectFieldRefused(r, field, `${method} ${path.slice(0, 60)} ${body.slice(0, 60)}`);
      checked++;
    }
    // Policy explanations take a whole request: huge numbers in it are explained or refused, never a 500.
    for (const request of [{ model: 'm', max_tokens: 1e20 }, { model: 'm', max_tokens: 2147483648, n: 1e20 }, { model: 'm', max_completion_tokens: 9007199254740993 }]) {
      const r = await call('POST', '/admin/v1/policy/explain', { keyId, request: { ...request, messages: [{ role: 'user', content: 'hi' }] } });
      expect({ request, status: r.status < 500 }).toEqual({ request, status: true });
      checked++;
    }
    expectFieldRefused(await call('POST', '/admin/v1/policy/explain', { keyId, request: { model: 'm'.repeat(5000) } }), 'request.model', 'explain with a 5000-character model');
    // In range, at the edges: accepted.
    const edge = await call('PATCH', `/admin/v1/keys/${keyId}`, { rpm: 2147483647, tpm: 2147483647, maxParallel: 2147483647, budgetUsd: 999999999999, perModelMaxTokens: { m: 2147483647 }, modelLimits: { m: { rpm: 2147483647 } } });
    expect(edge.status).toBe(200);
    expect(edge.json).toMatchObject({ rpm: 2147483647, budgetUsd: 999999999999 });
    expect((await call('GET', '/admin/v1/audit?cursor=9223372036854775807&limit=1')).status).toBe(200);
    ctx.note(`${checked} out-of-range or oversized variants refused with 400`);
  });

  faultCase('attack', 'server.trustedProxies: X-Forwarded-For names the client only from a trusted peer; the loopback rule cannot be spoofed', async () => {
    const keys = (base: string, from: string, xff?: string, headers: Record<string, string> = masterAuth) =>
      send(base, 'GET', '/admin/v1/keys?limit=1', { from, headers: { ...headers, ...(xff !== undefined && { 'x-forwarded-for': xff }) } });
    // Loopback rule (loopback-only control plane; 127.0.0.8 is a trusted proxy).
    expect((await keys(admin.url, '127.0.0.8')).status).toBe(200);
    expect((await keys(admin.url, '127.0.0.8', '127.0.0.1')).status).toBe(200);
    expect((await keys(admin.url, '127.0.0.8', '203.0.113.7')).status).toBe(403);
    // A remote client behind the trusted proxy cannot claim loopback by writing it first: the proxy appends its address.
    expect((await keys(admin.url, '127.0.0.8', '127.0.0.1, 203.0.113.7')).status).toBe(403);
    // A loopback peer that is no trusted proxy is the client itself, whatever it forwards (the sidecar deployment).
    expect((await keys(admin.url, '127.0.0.9', '203.0.113.7')).status).toBe(200);
    // A non-loopback peer never passes, whatever it forwards.
    const external = admin.url.replace('127.0.0.1', externalAddress());
    for (const xff of [undefined, '127.0.0.1', '::1', '127.0.0.1, 127.0.0.1']) {
      expect({ xff, status: (await keys(external, externalAddress(), xff)).status }).toEqual({ xff, status: 403 });
    }

    // Per-address limiter (control plane open to remote clients): the forwarded client from the trusted peer.
    const bad = { authorization: `Bearer ${master}-wrong` };
    const from = (xff: string) => keys(remoteAdmin.url, '127.0.0.8', xff, bad);
    const first: number[] = [];
    for (let i = 0; i < 7; i++) first.push((await from('198.51.100.1')).status);
    expect(first).toEqual([...Array(6).fill(401), 429]);
    // Another client behind the same proxy has its own count; so does the proxy's own address.
    expect((await from('198.51.100.2')).status).toBe(401);
    expect((await keys(remoteAdmin.url, '127.0.0.8', undefined, bad)).status).toBe(401);
    // An untrusted peer claiming the locked client is counted as itself (its XFF is ignored).
    expect((await keys(remoteAdmin.url, '127.0.0.10', '198.51.100.1', bad)).status).toBe(401);
    // A forwarded client cannot escape its count by prepending addresses: the hop the trusted proxy appended counts.
    expect((await from('10.9.9.9, 198.51.100.1')).status).toBe(429);

    // Audit source addresses follow the same rule, on the control plane...
    const viaProxy = await send(remoteAdmin.url, 'POST', '/admin/v1/teams', { from: '127.0.0.8', headers: { ...masterAuth, 'x-forwarded-for': '198.51.100.3' }, body: JSON.stringify({ name: 'via-proxy' }) });
    const spoofed = await send(remoteAdmin.url, 'POST', '/admin/v1/teams', { from: '127.0.0.10', headers: { ...masterAuth, 'x-forwarded-for': '198.51.100.4' }, body: JSON.stringify({ name: 'spoofed' }) });
    expect([viaProxy.status, spoofed.status]).toEqual([201, 201]);
    // ...and on the data plane (a denied request's audit event carries CanonicalRequest.sourceIp).
    const deny = (from: string, xff: string, id: string) =>
      send(api.url, 'POST', '/v1/chat/completions', {
        from,
        headers: { authorization: `Bearer ${clientKey}`, 'x-forwarded-for': xff, 'x-request-id': id },
        body: JSON.stringify({ model: 'n', messages: [{ role: 'user', content: 'hi' }] }),
      });
    const tag = randomBytes(3).toString('hex');
    expect((await deny('127.0.0.8', '192.0.2.5', `tp-${tag}-a`)).status).toBe(400);
    expect((await deny('127.0.0.10', '192.0.2.6', `tp-${tag}-b`)).status).toBe(400);

    const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    try {
      const q = async () =>
        (
          await db.query(
            `SELECT target, "sourceIp", split_part("requestId", '~', 1) AS "requestId" FROM "AuditEvent"
             WHERE target = ANY($1) OR split_part("requestId", '~', 1) = ANY($2)`,
            [[`team:${viaProxy.json.id}`, `team:${spoofed.json.id}`], [`tp-${tag}-a`, `tp-${tag}-b`]],
          )
        ).rows as { target: string; sourceIp: string; requestId: string | null }[];
      await waitFor('audit events', async () => (await q()).length >= 4, 20_000).catch(async (e: Error) => {
        throw new Error(`${e.message}: found ${JSON.stringify(await q())}`);
      });
      const byTarget = Object.fromEntries((await q()).map((r) => [r.requestId?.startsWith('tp-') ? r.requestId : r.target, r.sourceIp]));
      expect(byTarget).toEqual({
        [`team:${viaProxy.json.id}`]: '198.51.100.3',
        [`team:${spoofed.json.id}`]: '127.0.0.10',
        [`tp-${tag}-a`]: '192.0.2.5',
        [`tp-${tag}-b`]: '127.0.0.10',
      });
    } finally {
      await db.end();
    }
  });

  faultCase('attack', 'the control plane sends CSP, X-Frame-Options, nosniff and no-referrer on the console, its assets, /docs and API answers', async () => {
    const asset = readdirSync(join(__dirname, '../../apps/admin/src/ui/dist/assets')).find((f) => f.endsWith('.js'));
    const paths = ['/', '/keys', `/assets/${asset}`, '/docs', '/docs-json', '/admin/v1/keys?limit=1', '/admin/v1/nope', '/health/live'];
    for (const path of paths) {
      for (const headers of [masterAuth, {}]) {
        const r = await send(admin.url, 'GET', path, { from: '127.0.0.1', headers });
        expect({ path, csp: r.headers['content-security-policy'] }).toEqual({ path, csp: expect.stringContaining("script-src 'self'") });
        expect({ path, csp: r.headers['content-security-policy'] }).toEqual({ path, csp: expect.stringContaining("frame-ancestors 'none'") });
        expect(r.headers['content-security-policy']).not.toMatch(/script-src[^;]*(unsafe-inline|unsafe-eval|\*)/);
        expect({ path, xfo: r.headers['x-frame-options'], nosniff: r.headers['x-content-type-options'], ref: r.headers['referrer-policy'] }).toEqual({
          path,
          xfo: 'DENY',
          nosniff: 'nosniff',
          ref: 'no-referrer',
        });
      }
    }
    // So do the router's own refusals, in the control plane's envelope: a URL that does not decode, an over-long
    // path parameter, and a request Node's HTTP parser refuses (answered on the raw socket).
    for (const [method, path, status, code] of [
      ['GET', '/admin/v1/keys/%E0', 400, 'invalid_request_error'],
      ['GET', '/%', 400, 'invalid_request_error'],
      ['PUT', `/admin/v1/prices/${'p'.repeat(300)}`, 414, 'request_too_large'],
    ] as const) {
      const body = method === 'PUT' ? JSON.stringify({ inputPerMillion: 1, outputPerMillion: 1 }) : undefined;
      const r = await send(admin.url, method, path, { from: '127.0.0.1', headers: masterAuth, body });
      expect({ path, status: r.status, body: r.json }).toEqual({ path, status, body: { error: { code, message: expect.any(String) } } });
      expect({ path, csp: r.headers['content-security-policy'], xfo: r.headers['x-frame-options'], nosniff: r.headers['x-content-type-options'], ref: r.headers['referrer-policy'] }).toEqual({
        path,
        csp: expect.stringContaining("frame-ancestors 'none'"),
        xfo: 'DENY',
        nosniff: 'nosniff',
        ref: 'no-referrer',
      });
    }
    const rawAnswer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(admin.url).port), '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'));
      let text = '';
      socket.on('data', (c: Buffer) => (text += c.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(rawAnswer).toMatch(/^HTTP\/1\.1 400 /);
    expect(rawAnswer.toLowerCase()).toContain('x-frame-options: deny');
    expect(rawAnswer.toLowerCase()).toContain("content-security-policy: default-src 'self'");
    // The loopback rule's own refusal carries them too.
    const refused = await send(admin.url.replace('127.0.0.1', externalAddress()), 'GET', '/', {});
    expect(refused.status).toBe(403);
    expect(refused.headers['x-frame-options']).toBe('DENY');
    // The console shell has no inline script for the policy to block.
    const shell = await send(admin.url, 'GET', '/', { from: '127.0.0.1', headers: {} });
    expect(shell.body).toMatch(/<script type="module" crossorigin src="\/assets\//);
    expect(shell.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    // Nor has the Swagger UI page: its scripts are files of its own, so `script-src 'self'` keeps it working.
    const docs = await send(admin.url, 'GET', '/docs', { from: '127.0.0.1', headers: {} });
    expect(docs.status).toBe(200);
    expect(docs.body).toContain('swagger-ui-init.js');
    expect(docs.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    for (const src of [...docs.body.matchAll(/<script src=['"]([^'"]+)['"]/g)].map((m) => m[1])) {
      const script = await send(admin.url, 'GET', new URL(src, `${admin.url}/docs`).pathname, { from: '127.0.0.1', headers: {} });
      expect({ src, status: script.status }).toEqual({ src, status: 200 });
    }
  });
});
