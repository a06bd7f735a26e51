import { writeFileSync } from 'node:fs';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigStore } from '@llmp/infra';
import { createAdminApp } from '../../apps/admin/src/bootstrap';
import { startDataPlane, useConfig } from '../support/gateway-harness';
import { sleep, waitFor } from './production.fixture';

const CONFIG = (extra = ''): string => `
providers:
  - { name: mock, type: mock }
models:
  - name: mocked
    targets: [{ provider: mock, model: mock-small }]
${extra}auth: { mode: disabled }
server: { bodyLimitBytes: 1048576 }
`;

/**
 * Config reload (in process and through the admin API to every replica) and what a remote peer may still reach on a
 * loopback-only control plane. Hostile clients (oversized bodies, header injection, path variants, idle and slow
 * connections) are cases of the fault suite: test/faults/attacks.e2e-spec.ts.
 */
describe('loopback-only control plane and config reload', () => {
  let api: NestFastifyApplication;
  let url: string;
  let configPath: string;

  beforeAll(async () => {
    configPath = useConfig(CONFIG());
    ({ app: api, url } = await startDataPlane());
  });

  afterAll(async () => {
    await api?.close();
  });

  const chat = (body: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('reloads models on request without a restart, and keeps the old config when the new file is invalid', async () => {
    const store = api.get(ConfigStore);
    writeFileSync(configPath, CONFIG(`  - name: added-later
    targets: [{ provider: mock, model: mock-small }]
`));
    expect(store.reload('test').status).toBe('applied');
    expect((await chat('{"model":"added-later","messages":[{"role":"user","content":"hi"}]}')).status).toBe(200);
    writeFileSync(configPath, CONFIG('  - name: broken\n    targets: [{ provider: nowhere, model: x }]\n'));
    const rejected = store.reload('test');
    expect(rejected.status).toBe('rejected');
    expect(rejected.problems[0].message).toMatch(/unknown provider/);
    expect((await chat('{"model":"added-later","messages":[{"role":"user","content":"hi"}]}')).status).toBe(200);
  });

  describe('control plane', () => {
    let admin: NestFastifyApplication;

    beforeAll(async () => {
      writeFileSync(configPath, CONFIG());
      process.env.LLMP_MASTER_KEY = 'llmp_admin_prod_suite_master_key_0123456789';
      admin = await createAdminApp({ logger: false });
    });

    afterAll(async () => {
      await admin?.close();
    });

    it('answers management only from loopback; health and metrics stay open; X-Forwarded-For is ignored', async () => {
      const master = { authorization: 'Bearer llmp_admin_prod_suite_master_key_0123456789' };
      const remote = (u: string, headers: Record<string, string> = {}) => admin.inject({ method: 'GET', url: u, remoteAddress: '10.0.0.5', headers });
      // Path variants and forged forwarding headers over real TCP: test/faults/attacks.e2e-spec.ts.
      expect((await remote('/admin/v1/keys', { ...master, 'x-forwarded-for': '127.0.0.1', host: 'localhost' })).statusCode).toBe(403);
      expect((await remote('/health/live')).statusCode).toBe(200);
      const metrics = await remote('/metrics');
      expect(metrics.statusCode).toBe(200);
      expect(metrics.body).toContain('llmp_queue_jobs{queue="usage",state="waiting"}');
      expect(metrics.body).toContain('llmp_ledger_lag_seconds');
      expect(metrics.body).toContain('llmp_outbox_rows');
      const local = await admin.inject({ method: 'GET', url: '/admin/v1/keys', remoteAddress: '127.0.0.1', headers: master });
      expect(local.statusCode).toBe(200);
      expect((await admin.inject({ method: 'GET', url: '/admin/v1/keys', remoteAddress: '::ffff:127.0.0.1' })).statusCode).toBe(401);
    });

    it('POST /admin/v1/config/reload reloads every replica through pub/sub and rejects a bad file', async () => {
      const master = { authorization: 'Bearer llmp_admin_prod_suite_master_key_0123456789' };
      writeFileSync(configPath, CONFIG(`  - name: via-admin
    targets: [{ provider: mock, model: mock-small }]
`));
      const res = await admin.inject({ method: 'POST', url: '/admin/v1/config/reload', remoteAddress: '127.0.0.1', headers: master });
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ status: 'applied', notified: expect.any(Number) });
      await waitFor('the data plane to serve the new model', async () => (await chat('{"model":"via-admin","messages":[{"role":"user","content":"hi"}]}')).status === 200, 5000);
      writeFileSync(configPath, 'models: [oops\n');
      const bad = await admin.inject({ method: 'POST', url: '/admin/v1/config/reload', remoteAddress: '127.0.0.1', headers: master });
      expect(bad.statusCode).toBe(400);
      await sleep(200);
      expect((await chat('{"model":"via-admin","messages":[{"role":"user","content":"hi"}]}')).status).toBe(200);
    });
  });
});
