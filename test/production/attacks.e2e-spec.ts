import { connect } from 'node:net';
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

/** Sends raw bytes on a fresh connection; resolves with whatever the server wrote before closing (or the timeout). */
function raw(url: string, bytes: string | Buffer, waitMs = 2000): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const s = connect(Number(port), '127.0.0.1');
    let out = '';
    s.on('data', (d) => (out += d.toString()));
    s.on('error', () => resolve(out));
    s.on('close', () => resolve(out));
    s.write(bytes);
    setTimeout(() => {
      s.destroy();
      resolve(out);
    }, waitMs).unref();
  });
}

describe('hostile clients, loopback-only control plane, config reload', () => {
  let api: NestFastifyApplication;
  let url: string;
  let configPath: string;

  beforeAll(async () => {
    configPath = useConfig(CONFIG());
    process.env.LLMP_REQUEST_TIMEOUT_MS = '1000';
    ({ app: api, url } = await startDataPlane());
  });

  afterAll(async () => {
    delete process.env.LLMP_REQUEST_TIMEOUT_MS;
    await api?.close();
  });

  const chat = (body: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('answers 413 to a body over the limit (10 MB+), 400 to deep nesting and invalid UTF-8, and keeps serving', async () => {
    expect((await chat('{"model":"mocked","messages":[{"role":"user","content":"' + 'a'.repeat(11 * 1024 * 1024) + '"}]}')).status).toBe(413);
    const deep = '{"model":"mocked","messages":[{"role":"user","content":"hi"}],"x":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}';
    expect([200, 400]).toContain((await chat(deep)).status);
    const invalidUtf8 = Buffer.concat([Buffer.from('{"model":"mocked","messages":[{"role":"user","content":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}]}')]);
    const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: invalidUtf8 });
    expect(res.status).toBeLessThan(500);
    expect((await chat('{"model":"mocked","messages":[{"role":"user","content":"still here"}]}')).status).toBe(200);
  });

  it('rejects header injection and keeps serving while a slow-body client trickles', async () => {
    const injected = await raw(url, 'GET /health/live HTTP/1.1\r\nHost: x\r\nX-Evil: a\rSet-Cookie: pwn=1\r\n\r\n');
    expect(injected).toMatch(/^HTTP\/1\.1 400/);
    expect(injected).not.toContain('pwn=1');
    const echoed = await fetch(`${url}/health/live`, { headers: { 'x-request-id': 'abc%0d%0aSet-Cookie:x' } });
    expect(echoed.headers.get('set-cookie')).toBeNull();

    // A slow-body client holds one socket, not the server: others are served meanwhile (the cut-off itself is
    // covered by slow-body.e2e-spec.ts).
    const slow = raw(url, 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"model"', 1500);
    const t0 = Date.now();
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(500);
    await slow;
  });

  it('survives 500 concurrent idle connections with bounded memory', async () => {
    const { port } = new URL(url);
    const before = process.memoryUsage().rss;
    const sockets = await Promise.all(
      Array.from({ length: 500 }, () => new Promise<ReturnType<typeof connect>>((resolve) => {
        const s = connect(Number(port), '127.0.0.1', () => resolve(s));
        s.on('error', () => resolve(s));
      })),
    );
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    for (const s of sockets) s.destroy();
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

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
      for (const u of ['/admin/v1/keys', '/docs', '/docs-json', '/', '/admin/v1/../admin/v1/keys', '/ADMIN/v1/keys', '/metrics/']) {
        expect({ u, status: (await remote(u, { ...master, 'x-forwarded-for': '127.0.0.1', host: 'localhost' })).statusCode }).toEqual({ u, status: 403 });
      }
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
