import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DEMO_CONFIG_YAML } from '@llmp/infra';
import pg from 'pg';
import { useConfig } from '../../../test/support/gateway-harness';
import { master, startAdminApp, TEST_MASTER_KEY } from './admin-app.fixture';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('admin sign-in throttling (two control plane replicas sharing Redis)', () => {
  let a: NestFastifyApplication;
  let b: NestFastifyApplication;
  const password = 'correct horse battery';
  const stamp = Date.now();

  beforeAll(async () => {
    useConfig(`${DEMO_CONFIG_YAML}
admin:
  loginThrottle: { maxFailures: 3, ipMaxFailures: 6, windowSeconds: 60, lockSeconds: 1, maxLockSeconds: 8 }
`);
    a = await startAdminApp();
    b = await startAdminApp();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  /** Each case signs in from a loopback address of its own, so per-IP counts do not mix between cases. */
  const login = async (app: NestFastifyApplication, ip: string, email: string, pw: string) => {
    const res = await app.inject({ method: 'POST', url: '/admin/v1/auth/login', remoteAddress: ip, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email, password: pw }) });
    return { status: res.statusCode, retryAfter: res.headers['retry-after'], body: JSON.parse(res.body) as { error?: { code: string; message: string } } };
  };
  const createUser = async (email: string) => {
    const res = await a.inject({ method: 'POST', url: '/admin/v1/users', headers: { ...master, 'content-type': 'application/json' }, payload: JSON.stringify({ email, password, role: 'viewer' }) });
    expect(res.statusCode).toBe(201);
  };

  it('locks an email after N failures on any replica, alike for known and unknown emails, with a growing Retry-After', async () => {
    const known = `known-${stamp}@example.com`;
    const unknown = `ghost-${stamp}@example.com`;
    await createUser(known);
    const run = async (email: string, ip: string) => {
      const seen = [];
      // Failures alternate between the replicas: the count lives in Redis.
      for (let i = 0; i < 3; i++) seen.push(await login(i % 2 ? b : a, ip, email, 'wrong'));
      seen.push(await login(b, ip, email, password));
      return seen;
    };
    const k = await run(known, '127.0.1.1');
    const u = await run(unknown, '127.0.1.2');
    expect(k.map((r) => r.status)).toEqual([401, 401, 401, 429]);
    expect(u.map((r) => r.status)).toEqual([401, 401, 401, 429]);
    expect(k[3].body).toEqual(u[3].body);
    expect(k[3].body.error).toEqual({ code: 'rate_limit_exceeded', message: expect.stringMatching(/too many failed sign-in attempts/i) });
    expect(k[3].retryAfter).toBe('1');

    await sleep(1100);
    // One more failure past the limit doubles the lock.
    expect((await login(a, '127.0.1.1', known, 'wrong')).status).toBe(401);
    const locked = await login(a, '127.0.1.3', known, password);
    expect(locked.status).toBe(429);
    expect(locked.retryAfter).toBe('2');
    await sleep(2100);
    // A success resets the email's count: three fresh failures are answered (401) before the next lock.
    expect((await login(b, '127.0.1.3', known, password)).status).toBe(200);
    const after = [];
    for (let i = 0; i < 4; i++) after.push((await login(a, '127.0.1.4', known, 'wrong')).status);
    expect(after).toEqual([401, 401, 401, 429]);
  });

  it('counts parallel guesses atomically: only N reach argon2', async () => {
    const email = `burst-${stamp}@example.com`;
    await createUser(email);
    const statuses = await Promise.all(Array.from({ length: 12 }, (_, i) => login(i % 2 ? a : b, `127.0.2.${i + 1}`, email, `guess-${i}`)));
    expect(statuses.filter((r) => r.status === 401)).toHaveLength(3);
    expect(statuses.filter((r) => r.status === 429)).toHaveLength(9);
  });

  it('slows bad master-key and bearer guesses per client IP; the right key is never refused; a missing credential is not counted', async () => {
    const ip = '127.0.3.1';
    const get = (app: NestFastifyApplication, from: string, headers: Record<string, string>, url = '/admin/v1/keys') =>
      app.inject({ method: 'GET', url, remoteAddress: from, headers });
    for (let i = 0; i < 10; i++) expect((await get(a, ip, {})).statusCode).toBe(401);
    // Many concurrent calls with the right key are not failures, and never add up to a lock.
    const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => get(i % 2 ? a : b, ip, master)));
    expect(burst.map((r) => r.statusCode)).toEqual(Array(30).fill(200));
    const guesses: Record<string, string>[] = [
      { authorization: `Bearer ${TEST_MASTER_KEY}x` },
      { 'x-management-key': 'wrong' },
      { authorization: 'Bearer llmpadm_' + 'A'.repeat(43) },
    ];
    for (let i = 0; i < 6; i++) expect((await get(i % 2 ? a : b, ip, guesses[i % 3])).statusCode).toBe(401);
    // Past the limit a wrong credential is answered 429 on any replica...
    const refused = await get(a, ip, guesses[1]);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(refused.body).error.code).toBe('rate_limit_exceeded');
    expect((await get(b, ip, guesses[2])).statusCode).toBe(429);
    // ...while the right key from the same address still works, in either header.
    expect((await get(a, ip, master)).statusCode).toBe(200);
    expect((await get(b, ip, { 'x-management-key': TEST_MASTER_KEY })).statusCode).toBe(200);
    // The key in the query string or in a body field is no credential at all: 401, not counted.
    expect((await get(a, '127.0.3.3', {}, `/admin/v1/keys?access_token=${TEST_MASTER_KEY}`)).statusCode).toBe(401);
    // Another address is not affected.
    expect((await get(b, '127.0.3.2', guesses[0])).statusCode).toBe(401);
    await sleep(1100);
    expect((await get(b, ip, master)).statusCode).toBe(200);
  });

  it('writes an audit event for each lockout, naming the email or address and never the password', async () => {
    const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    try {
      const rows = (await db.query(`SELECT payload FROM "Outbox" WHERE kind = 'audit' AND payload->>'action' = 'auth.lockout'`)).rows as { payload: { target: string; after: { failures: number; lockSeconds: number } } }[];
      const targets = rows.map((r) => r.payload.target);
      expect(targets).toEqual(expect.arrayContaining([`user:known-${stamp}@example.com`, `user:ghost-${stamp}@example.com`, `user:burst-${stamp}@example.com`, 'ip:127.0.3.1']));
      expect(rows.find((r) => r.payload.target === `user:known-${stamp}@example.com` && r.payload.after.lockSeconds === 2)).toBeDefined();
      expect(JSON.stringify(rows)).not.toMatch(/wrong|guess-|correct horse/);
    } finally {
      await db.end();
    }
  });
});
