import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ADMIN_ROLES, type AdminRole } from '@llmp/common';
import { DEMO_CONFIG_YAML } from '@llmp/infra';
import { useConfig } from '../../../test/support/gateway-harness';
import { PUBLIC_KEY } from '../src/auth/public.decorator';
import { ROLES_KEY } from '../src/auth/roles.decorator';
import { call, master, startAdminApp, TEST_MASTER_KEY } from './admin-app.fixture';

interface LiveRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  roles: AdminRole[] | undefined;
  isPublic: boolean;
}

/** Every controller route of the running app, with the metadata the guard reads. */
function liveRoutes(app: NestFastifyApplication): LiveRoute[] {
  const routes: LiveRoute[] = [];
  for (const mod of app.get(ModulesContainer).values()) {
    for (const wrapper of mod.controllers.values()) {
      const ctrl = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!ctrl) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, ctrl) ?? '');
      for (const name of Object.getOwnPropertyNames(ctrl.prototype)) {
        const handler = (ctrl.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const sub = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
        const path = ('/' + [base, sub].filter((p) => p && p !== '/').join('/')).replace(/\/+/g, '/');
        routes.push({
          method: RequestMethod[method] as LiveRoute['method'],
          path,
          roles: (Reflect.getMetadata(ROLES_KEY, handler) ?? Reflect.getMetadata(ROLES_KEY, ctrl)) as AdminRole[] | undefined,
          isPublic: Boolean(Reflect.getMetadata(PUBLIC_KEY, handler) ?? Reflect.getMetadata(PUBLIC_KEY, ctrl)),
        });
      }
    }
  }
  return routes;
}

const concrete = (path: string) => path.replace(/:[A-Za-z]+/g, 'does-not-exist');

describe('admin role matrix over the live route table', () => {
  let app: NestFastifyApplication;
  let routes: LiveRoute[];
  const tokens = {} as Record<AdminRole, string>;

  beforeAll(async () => {
    // The matrix offers a hundred wrong credentials from one address on purpose; throttling has its own spec.
    useConfig(`${DEMO_CONFIG_YAML}\nadmin:\n  loginThrottle: { ipMaxFailures: 100000 }\n`);
    app = await startAdminApp();
    routes = liveRoutes(app);
    const stamp = Date.now();
    for (const role of ADMIN_ROLES) {
      const email = `${role}-${stamp}@example.com`;
      const created = await call(app, 'POST', '/admin/v1/users', { headers: master, body: { email, password: 'correct horse battery', role } });
      expect(created.status).toBe(201);
      const login = await call(app, 'POST', '/admin/v1/auth/login', { body: { email, password: 'correct horse battery' } });
      expect(login.status).toBe(200);
      tokens[role] = login.body.token;
    }
  });
  afterAll(async () => {
    await app.close();
  });

  it('finds the routes of issue 3, each registered in Fastify', () => {
    const fastify = app.getHttpAdapter().getInstance();
    expect(routes.length).toBeGreaterThanOrEqual(20);
    for (const r of routes) expect({ r, registered: fastify.hasRoute({ method: r.method, url: r.path }) }).toEqual({ r, registered: true });
  });

  it('every route is either explicitly public (health, login) or declares roles', () => {
    for (const r of routes) {
      const ok = r.isPublic ? r.path.startsWith('/health/') || r.path === '/admin/v1/auth/login' : (r.roles?.length ?? 0) > 0;
      expect({ route: `${r.method} ${r.path}`, ok }).toEqual({ route: `${r.method} ${r.path}`, ok: true });
    }
  });

  it('no guarded route answers without a credential, or with a wrong one', async () => {
    for (const r of routes.filter((x) => !x.isPublic)) {
      for (const headers of <Record<string, string>[]>[
        {},
        { authorization: 'Bearer wrong' },
        { authorization: `Bearer ${TEST_MASTER_KEY}x` },
        { 'x-management-key': 'wrong' },
        { authorization: `Basic ${Buffer.from(`x:${TEST_MASTER_KEY}`).toString('base64')}` },
      ]) {
        const res = await call(app, r.method, concrete(r.path), { headers, body: r.method === 'GET' || r.method === 'DELETE' ? undefined : {} });
        expect({ route: `${r.method} ${r.path}`, headers, status: res.status }).toEqual({ route: `${r.method} ${r.path}`, headers, status: 401 });
      }
    }
  });

  it('each role reaches exactly the routes that list it; the master key (both headers) reaches all', async () => {
    for (const r of routes.filter((x) => !x.isPublic)) {
      const body = r.method === 'GET' || r.method === 'DELETE' ? undefined : {};
      for (const role of ADMIN_ROLES) {
        const res = await call(app, r.method, concrete(r.path), { headers: { authorization: `Bearer ${tokens[role]}` }, body });
        const allowed = r.roles!.includes(role);
        expect({ route: `${r.method} ${r.path}`, role, denied: res.status === 403 || res.status === 401 }).toEqual({
          route: `${r.method} ${r.path}`,
          role,
          denied: !allowed,
        });
      }
      for (const headers of [master, { 'x-management-key': TEST_MASTER_KEY }]) {
        const res = await call(app, r.method, concrete(r.path), { headers, body });
        expect([401, 403]).not.toContain(res.status);
      }
    }
  });

  it('admin is allowed everywhere, viewer never mutates', () => {
    for (const r of routes.filter((x) => !x.isPublic)) {
      expect(r.roles).toContain('admin');
      if (r.method !== 'GET' && r.path !== '/admin/v1/policy/explain') expect(r.roles).not.toContain('viewer');
    }
  });

  it('a disabled user loses access at once, and failed logins are refused with one message', async () => {
    const email = `gone-${Date.now()}@example.com`;
    const { body: user } = await call(app, 'POST', '/admin/v1/users', { headers: master, body: { email, password: 'correct horse battery', role: 'viewer' } });
    const { body: login } = await call(app, 'POST', '/admin/v1/auth/login', { body: { email, password: 'correct horse battery' } });
    expect((await call(app, 'GET', '/admin/v1/keys', { headers: { authorization: `Bearer ${login.token}` } })).status).toBe(200);
    await call(app, 'PATCH', `/admin/v1/users/${user.id}`, { headers: master, body: { disabled: true } });
    expect((await call(app, 'GET', '/admin/v1/keys', { headers: { authorization: `Bearer ${login.token}` } })).status).toBe(401);
    const wrong = await call(app, 'POST', '/admin/v1/auth/login', { body: { email, password: 'nope' } });
    const unknown = await call(app, 'POST', '/admin/v1/auth/login', { body: { email: 'nobody@example.com', password: 'nope' } });
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    const users = await call(app, 'GET', '/admin/v1/users', { headers: master });
    expect(JSON.stringify(users.body)).not.toMatch(/passwordHash|\$argon2/);
  });
});
