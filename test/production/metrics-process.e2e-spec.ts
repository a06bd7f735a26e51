import { spawnApi, writeConfig, type ApiProcess } from './production.fixture';

/** `/metrics` on a built data plane process: request, overhead, upstream and limiter series after one request. */
describe('data plane metrics (built process)', () => {
  let api: ApiProcess;

  beforeAll(async () => {
    const config = writeConfig(`
providers: [{ name: up, type: mock }]
models: [{ name: slow, targets: [{ provider: up, model: mock-small }] }]
auth: { mode: disabled }
`);
    api = await spawnApi({ LLMP_CONFIG: config });
  }, 90_000);

  afterAll(() => {
    if (api?.child.exitCode === null) api.child.kill('SIGKILL');
  });

  it('serves Prometheus metrics with request, overhead, upstream and limiter series', async () => {
    const res = await fetch(`${api.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'slow', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toContain('llmp_requests_total{surface="openai",model="slow",status="200"} 1');
    expect(metrics).toMatch(/llmp_gateway_overhead_seconds_count\{surface="openai"\} 1/);
    expect(metrics).toMatch(/llmp_upstream_duration_seconds_count\{provider="up",outcome="ok"\} 1/);
    expect(metrics).toContain('llmp_limit_decisions_total{decision="admitted",mode="none"} 1');
    for (const name of ['llmp_redis_fallbacks_total', 'llmp_events_total', 'llmp_cooldowns_active', 'llmp_inflight_requests', 'llmp_process_resident_memory_bytes']) {
      expect(metrics).toContain(name);
    }
  });
});
