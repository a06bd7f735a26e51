import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { call, master, startAdminApp } from '../../apps/admin/test/admin-app.fixture';
import { chatCompletion, FakeUpstream } from '../support/fake-upstream';
import { startDataPlane, useConfig } from '../support/gateway-harness';

/** Every metric family the production issue asks for, by plane. */
const DATA_PLANE_FAMILIES = [
  'llmp_requests_total', // requests by surface, model, status
  'llmp_request_duration_seconds', // latency
  'llmp_gateway_overhead_seconds', // total minus upstream time
  'llmp_upstream_duration_seconds', // upstream latency by provider
  'llmp_upstream_errors_total', // upstream errors by provider
  'llmp_failovers_total',
  'llmp_cooldowns_active',
  'llmp_cooldowns_started_total',
  'llmp_limit_decisions_total', // limiter and budget decisions
  'llmp_redis_fallbacks_total', // Redis fallbacks
  'llmp_redis_incidents_total',
  'llmp_redis_down',
  'llmp_key_auth_fallbacks_total', // Redis and Postgres fallbacks of key lookups
  'llmp_events_total', // queued, outboxed (the Postgres fallback), dropped
  'llmp_event_flush_failures_total',
  'llmp_events_buffered',
  'llmp_inflight_requests',
  'llmp_draining',
  'llmp_process_cpu_seconds_total',
];
const CONTROL_PLANE_FAMILIES = [
  'llmp_queue_jobs', // queue depth
  'llmp_outbox_rows', // outbox size
  'llmp_ledger_lag_seconds',
  'llmp_process_cpu_seconds_total',
];

function families(text: string): Set<string> {
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
}

/** Scrapes `/metrics` on both planes after real traffic (failover, cooldown, a rate-limit denial) and finds every family. */
describe('metrics completeness on both planes', () => {
  const upstream = new FakeUpstream();
  let api: { app: NestFastifyApplication; url: string };
  let admin: NestFastifyApplication;

  beforeAll(async () => {
    const base = await upstream.start();
    upstream.behavior = (req) => (req.body.model === 'broken' ? { status: 503, json: { error: { message: 'down' } } } : { json: chatCompletion(req, 'ok') });
    useConfig(`
providers:
  - { name: bad, type: openai, baseUrl: "${base}" }
  - { name: good, type: openai, baseUrl: "${base}" }
models:
  - name: fo
    targets: [{ provider: bad, model: broken }, { provider: good, model: fine }]
routing: { cooldownAfterFailures: 1, cooldownMs: 60000 }
`);
    admin = await startAdminApp();
    await admin.listen({ port: 0, host: '127.0.0.1' });
    api = await startDataPlane();
  }, 60_000);

  afterAll(async () => {
    await api?.app.close();
    await admin?.close();
    await upstream.close();
  });

  it('finds every family after traffic, with failover, cooldown and limiter series moving', async () => {
    const created = await call(admin, 'POST', '/admin/v1/keys', { headers: master, body: { name: 'metrics-families', rpm: 1 } });
    expect(created.status).toBe(201);
    const send = () =>
      fetch(`${api.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${created.body.key}` },
        body: JSON.stringify({ model: 'fo', messages: [{ role: 'user', content: 'hi' }] }),
      });
    expect((await send()).status).toBe(200);
    expect((await send()).status).toBe(429);

    const dataPlane = await (await fetch(`${api.url}/metrics`)).text();
    const controlPlane = await (await fetch(`${await admin.getUrl()}/metrics`.replace('[::1]', '127.0.0.1'))).text();
    const dp = families(dataPlane);
    const cp = families(controlPlane);
    expect(DATA_PLANE_FAMILIES.filter((f) => !dp.has(f))).toEqual([]);
    expect(CONTROL_PLANE_FAMILIES.filter((f) => !cp.has(f))).toEqual([]);

    expect(dataPlane).toContain('llmp_requests_total{surface="openai",model="fo",status="200"} 1');
    expect(dataPlane).toContain('llmp_requests_total{surface="openai",model="fo",status="429"} 1');
    expect(dataPlane).toContain('llmp_failovers_total{model="fo"} 1');
    expect(dataPlane).toContain('llmp_upstream_errors_total{provider="bad",status="503"} 1');
    expect(dataPlane).toContain('llmp_cooldowns_started_total{provider="bad"} 1');
    expect(dataPlane).toContain('llmp_cooldowns_active{provider="bad"} 1');
    expect(dataPlane).toContain('llmp_limit_decisions_total{decision="admitted",mode="redis"} 1');
    expect(dataPlane).toContain('llmp_limit_decisions_total{decision="rate_limited",mode="-"} 1');
    expect(dataPlane).toMatch(/llmp_gateway_overhead_seconds_count\{surface="openai"\} 2/);
    expect(controlPlane).toMatch(/llmp_queue_jobs\{queue="[^"]+",state="waiting"\} \d+/);
    expect(controlPlane).toMatch(/llmp_outbox_rows \d+/);
    expect(controlPlane).toMatch(/llmp_ledger_lag_seconds \d/);
  });
});
