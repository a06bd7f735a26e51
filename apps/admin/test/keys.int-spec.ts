import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { ErrorCode } from '@llmp/common';
import { KeyAuthService } from '@llmp/policy';
import { call, master, startAdminApp } from './admin-app.fixture';

/** Every row of every table in the test database, as text. */
async function allDatabaseText(): Promise<string> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    );
    const parts: string[] = [];
    for (const { table_name } of tables.rows) {
      const rows = await client.query<{ t: string }>(`SELECT t::text AS t FROM "${table_name}" t`);
      for (const r of rows.rows) parts.push(r.t);
    }
    return parts.join('\n');
  } finally {
    await client.end();
  }
}

const CREATED_FIELDS = [
  'allowedModels', 'budgetPeriod', 'budgetUsd', 'createdAt', 'expiresAt', 'id', 'key', 'keyPrefix', 'maxChoices', 'maxParallel',
  'metadata', 'modelAliases', 'name', 'perModelMaxTokens', 'rpm', 'teamId', 'tpm',
];

describe('admin keys, teams, aliases and explain (e2e on Fastify)', () => {
  let app: NestFastifyApplication;
  let auth: KeyAuthService;

  beforeAll(async () => {
    app = await startAdminApp();
    auth = app.get(KeyAuthService);
  });
  afterAll(async () => {
    await app.close();
  });

  it('creates a key with exactly the promised fields and stores no plaintext anywhere, also after rotation', async () => {
    const created = await call(app, 'POST', '/admin/v1/keys', {
      headers: master,
      body: { name: 'plain', allowedModels: ['gpt-4o-mini'], perModelMaxTokens: { '*': 100 }, rpm: 10, budgetUsd: 5.5, budgetPeriod: 'month' },
    });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual(CREATED_FIELDS);
    expect(created.body.key).toMatch(/^llmp_[A-Za-z0-9_-]{43}$/);
    expect(created.body.keyPrefix).toBe(created.body.key.slice(0, 11));
    const rotated = await call(app, 'POST', `/admin/v1/keys/${created.body.id}/rotate`, { headers: master, body: { gracePeriodSeconds: 60 } });
    expect(rotated.status).toBe(200);
    const text = await allDatabaseText();
    for (const secret of [created.body.key as string, rotated.body.key as string]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(5));
    }
    expect(text).toContain('key.rotate');
    // Both secrets work during the grace period.
    await auth.authenticate([created.body.key]);
    await auth.authenticate([rotated.body.key]);
    const got = await call(app, 'GET', `/admin/v1/keys/${created.body.id}`, { headers: master });
    expect(JSON.stringify(got.body)).not.toMatch(/llmp_[A-Za-z0-9_-]{43}|keyHash|[0-9a-f]{64}/);
  });

  it('rotation with an Idempotency-Key returns the same secret on replay, and 409 once superseded', async () => {
    const { body: key } = await call(app, 'POST', '/admin/v1/keys', { headers: master, body: { name: 'idem' } });
    const url = `/admin/v1/keys/${key.id}/rotate`;
    const first = await call(app, 'POST', url, { headers: { ...master, 'idempotency-key': 'abc' } });
    const again = await call(app, 'POST', url, { headers: { ...master, 'idempotency-key': 'abc' } });
    expect(first.status).toBe(200);
    expect(again.body.key).toBe(first.body.key);
    expect(again.body.key).not.toBe(key.key);
    await expect(auth.authenticate([key.key])).rejects.toMatchObject({ code: ErrorCode.InvalidApiKey });
    const other = await call(app, 'POST', url, { headers: { ...master, 'idempotency-key': 'def' } });
    expect(other.body.key).not.toBe(first.body.key);
    const stale = await call(app, 'POST', url, { headers: { ...master, 'idempotency-key': 'abc' } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('conflict');
    expect(JSON.stringify(stale.body)).not.toContain(first.body.key);
  });

  it('revoke takes effect for the data plane and shows in filters', async () => {
    const { body: key } = await call(app, 'POST', '/admin/v1/keys', { headers: master, body: { name: 'to-revoke' } });
    await auth.authenticate([key.key]);
    const r = await call(app, 'POST', `/admin/v1/keys/${key.id}/revoke`, { headers: master });
    expect(r.body.status).toBe('revoked');
    await expect(auth.authenticate([key.key])).rejects.toMatchObject({ code: ErrorCode.InvalidApiKey });
    const revoked = await call(app, 'GET', '/admin/v1/keys?status=revoked&limit=200', { headers: master });
    expect(revoked.body.data.map((k: { id: string }) => k.id)).toContain(key.id);
    expect((await call(app, 'POST', `/admin/v1/keys/${key.id}/rotate`, { headers: master })).status).toBe(409);
  });

  it('paginates with a cursor and filters by name and team', async () => {
    const { body: team } = await call(app, 'POST', '/admin/v1/teams', { headers: master, body: { name: `page-${Date.now()}` } });
    for (let i = 0; i < 5; i++) {
      await call(app, 'POST', '/admin/v1/keys', { headers: master, body: { name: `pager-${i}`, teamId: team.id } });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/admin/v1/keys?teamId=${team.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await call(app, 'GET', q, { headers: master });
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((k: { name: string }) => k.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['pager-4', 'pager-3', 'pager-2', 'pager-1', 'pager-0']);
    const q = await call(app, 'GET', '/admin/v1/keys?q=PAGER-3', { headers: master });
    expect(q.body.data.map((k: { name: string }) => k.name)).toEqual(['pager-3']);
    expect((await call(app, 'GET', '/admin/v1/keys?limit=0', { headers: master })).status).toBe(400);
    expect((await call(app, 'GET', '/admin/v1/keys?status=weird', { headers: master })).status).toBe(400);
    // A team with keys cannot be deleted.
    expect((await call(app, 'DELETE', `/admin/v1/teams/${team.id}`, { headers: master })).status).toBe(409);
  });

  it.each([
    ['a hash', { name: 'x', keyHash: 'a'.repeat(64) }],
    ['an id', { name: 'x', id: 'key_mine' }],
    ['a prefix', { name: 'x', keyPrefix: 'llmp_xxxxxx' }],
    ['spend', { name: 'x', spendUsd: 0 }],
    ['revocation', { name: 'x', revokedAt: null }],
    ['the secret', { name: 'x', key: 'llmp_' + 'a'.repeat(43) }],
    ['bad types', { name: 'x', rpm: -1 }],
    ['bad caps', { name: 'x', perModelMaxTokens: { '*': 'lots' } }],
    ['bad aliases', { name: 'x', modelAliases: { a: 1 } }],
    ['bad period', { name: 'x', budgetPeriod: 'year' }],
    ['maxChoices 0', { name: 'x', maxChoices: 0 }],
    ['maxChoices over 128', { name: 'x', maxChoices: 129 }],
    ['fractional maxChoices', { name: 'x', maxChoices: 2.5 }],
  ])('rejects mass assignment of %s with 400', async (_n, body) => {
    const r = await call(app, 'POST', '/admin/v1/keys', { headers: master, body });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_request_error');
  });

  it('rejects unknown fields on PATCH of keys and teams', async () => {
    const { body: key } = await call(app, 'POST', '/admin/v1/keys', { headers: master, body: { name: 'patchme' } });
    expect((await call(app, 'PATCH', `/admin/v1/keys/${key.id}`, { headers: master, body: { keyHash: 'x' } })).status).toBe(400);
    expect((await call(app, 'PATCH', `/admin/v1/keys/${key.id}`, { headers: master, body: { name: null } })).status).toBe(400);
    const ok = await call(app, 'PATCH', `/admin/v1/keys/${key.id}`, { headers: master, body: { name: 'patched', rpm: 5 } });
    expect(ok.body).toMatchObject({ name: 'patched', rpm: 5 });
    const { body: team } = await call(app, 'POST', '/admin/v1/teams', { headers: master, body: { name: `mass-${Date.now()}` } });
    expect((await call(app, 'PATCH', `/admin/v1/teams/${team.id}`, { headers: master, body: { id: 'team_mine' } })).status).toBe(400);
    expect((await call(app, 'DELETE', `/admin/v1/teams/${team.id}`, { headers: master })).status).toBe(204);
  });

  it('writes one audit event per mutation into the outbox, with the actor and without secrets', async () => {
    const created = await call(app, 'POST', '/admin/v1/keys', { headers: master, body: { name: 'audited' } });
    await call(app, 'PATCH', `/admin/v1/keys/${created.body.id}`, { headers: master, body: { rpm: 3 } });
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    const rows = await client.query<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM "Outbox" WHERE kind = 'audit' AND payload->>'target' = $1 ORDER BY id`,
      [`key:${created.body.id}`],
    );
    await client.end();
    expect(rows.rows.map((r) => r.payload.action)).toEqual(['key.create', 'key.update']);
    expect(rows.rows[1]?.payload).toMatchObject({ actorType: 'master', before: { rpm: null }, after: { rpm: 3 } });
    expect(JSON.stringify(rows.rows)).not.toContain(created.body.key);
  });

  it('aliases: put, list, resolve through explain, refuse unresolvable targets, delete', async () => {
    expect((await call(app, 'PUT', '/admin/v1/aliases/cheap', { headers: master, body: { target: 'fast' } })).status).toBe(200);
    const list = await call(app, 'GET', '/admin/v1/aliases', { headers: master });
    expect(list.body).toEqual(expect.arrayContaining([{ alias: 'cheap', target: 'fast', source: 'admin' }, { alias: 'fast', target: 'gpt-4o-mini', source: 'config' }]));
    expect((await call(app, 'PUT', '/admin/v1/aliases/loop', { headers: master, body: { target: 'loop' } })).status).toBe(400);
    expect((await call(app, 'PUT', '/admin/v1/aliases/nowhere', { headers: master, body: { target: 'gpt-99' } })).status).toBe(400);

    const { body: key } = await call(app, 'POST', '/admin/v1/keys', {
      headers: master,
      body: { name: 'explained', allowedModels: ['gpt-4o-mini'], perModelMaxTokens: { 'gpt-4o-mini': 64 } },
    });
    const ok = await call(app, 'POST', '/admin/v1/policy/explain', { headers: master, body: { keyId: key.id, request: { model: 'cheap', max_tokens: 1000 } } });
    expect(ok.status).toBe(200);
    expect(ok.body.allowed).toBe(true);
    expect(ok.body.steps.map((s: { stage: string; decision: string }) => `${s.stage}:${s.decision}`)).toEqual([
      'authenticate:pass', 'resolve_model:pass', 'allowlist:pass', 'token_cap:pass', 'price:pass',
    ]);
    expect(ok.body.steps[1].details.aliasChain).toEqual(['cheap', 'fast', 'gpt-4o-mini']);
    expect(ok.body.upstreamBody.max_tokens).toBe(64);
    expect(ok.body.steps[3].details).toMatchObject({ choices: 1, maxChoices: 8, outputTokensReserved: 64 });

    // maxChoices is stored, shown and explained: more choices than it allows is denied at the token cap.
    const narrowed = await call(app, 'PATCH', `/admin/v1/keys/${key.id}`, { headers: master, body: { maxChoices: 2 } });
    expect(narrowed.body.maxChoices).toBe(2);
    const many = await call(app, 'POST', '/admin/v1/policy/explain', { headers: master, body: { keyId: key.id, request: { model: 'cheap', n: 3 } } });
    expect(many.body.steps[3]).toMatchObject({ stage: 'token_cap', decision: 'deny', error: { code: 'invalid_request_error' } });
    const two = await call(app, 'POST', '/admin/v1/policy/explain', { headers: master, body: { keyId: key.id, request: { model: 'cheap', n: 2 } } });
    expect(two.body.steps[3].details).toMatchObject({ choices: 2, maxChoices: 2, outputTokensReserved: 128 });

    // Escalation: an alias (global or the key's own) to a model the key may not use is denied.
    await call(app, 'PUT', '/admin/v1/aliases/sneaky', { headers: master, body: { target: 'gpt-4o' } });
    await call(app, 'PATCH', `/admin/v1/keys/${key.id}`, { headers: master, body: { modelAliases: { mine: 'gpt-4o' } } });
    for (const model of ['sneaky', 'mine', 'smart', 'gpt-4o']) {
      const denied = await call(app, 'POST', '/admin/v1/policy/explain', { headers: master, body: { keyId: key.id, request: { model } } });
      expect(denied.body.allowed).toBe(false);
      expect(denied.body.steps[2]).toMatchObject({ stage: 'allowlist', decision: 'deny', error: { code: 'model_not_allowed' } });
    }
    const unknown = await call(app, 'POST', '/admin/v1/policy/explain', { headers: master, body: { keyId: key.id, request: { model: 'nope' } } });
    expect(unknown.body.steps[1]).toMatchObject({ decision: 'deny', error: { code: 'model_not_found' } });
    expect((await call(app, 'POST', '/admin/v1/policy/explain', { headers: master, body: { keyId: 'key_none', request: { model: 'x' } } })).status).toBe(404);

    expect((await call(app, 'DELETE', '/admin/v1/aliases/cheap', { headers: master })).status).toBe(204);
    expect((await call(app, 'DELETE', '/admin/v1/aliases/cheap', { headers: master })).status).toBe(404);
  });

  it('serves Swagger with a tag, summary and error responses on every admin route', async () => {
    const doc = await call(app, 'GET', '/docs-json');
    expect(doc.status).toBe(200);
    const ops = Object.entries(doc.body.paths as Record<string, Record<string, { tags?: string[]; summary?: string; responses: Record<string, unknown> }>>);
    expect(ops.length).toBeGreaterThan(10);
    for (const [path, methods] of ops) {
      for (const [method, op] of Object.entries(methods)) {
        expect({ path, method, tags: op.tags?.length ?? 0, summary: !!op.summary }).toEqual({ path, method, tags: 1, summary: true });
        if (path.startsWith('/admin/v1/') && path !== '/admin/v1/auth/login') expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403']));
      }
    }
    expect(doc.body.components.schemas.CreateKeyDto.properties).not.toHaveProperty('keyHash');
  });

  it('seeds the demo key with a secret derived from the master key', async () => {
    const list = await call(app, 'GET', '/admin/v1/keys?q=demo', { headers: master });
    expect(list.body.data.some((k: { name: string }) => k.name === 'demo')).toBe(true);
  });
});
