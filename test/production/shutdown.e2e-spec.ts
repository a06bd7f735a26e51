import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import { chatChunks, chatCompletion, FakeUpstream } from '../support/fake-upstream';
import { ledgerRows, spawnApi, startWorkers, streamChat, waitFor, writeConfig, type ApiProcess } from './production.fixture';

/**
 * A built data plane process gets SIGTERM while streams are in flight: it stops accepting, lets every stream finish,
 * flushes usage, and exits 0; the ledger then holds a row for every request. Also checks `/metrics` on the process.
 */
describe('data plane SIGTERM under load (built process)', () => {
  const upstream = new FakeUpstream();
  let api: ApiProcess;
  let workers: INestApplicationContext | null = null;
  const WORDS = Array.from({ length: 12 }, (_, i) => `w${i} `);

  beforeAll(async () => {
    const base = await upstream.start();
    upstream.behavior = (req) =>
      req.body.stream
        ? { stream: { chunks: chatChunks('slow-model', WORDS), delayMs: 150 } }
        : { json: chatCompletion(req, 'plain answer') };
    const config = writeConfig(`
providers:
  - { name: up, type: openai, baseUrl: "${base}", timeoutMs: 10000 }
models:
  - name: slow
    targets: [{ provider: up, model: slow-model }]
    pricing: { input: 1, output: 2 }
auth: { mode: disabled }
`);
    api = await spawnApi({ LLMP_CONFIG: config, LLMP_SHUTDOWN_TIMEOUT_MS: '15000' });
  }, 90_000);

  afterAll(async () => {
    if (api?.child.exitCode === null) api.child.kill('SIGKILL');
    await workers?.close();
    await upstream.close();
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

  it('finishes every in-flight stream, refuses new connections, exits 0, and loses no usage', async () => {
    const ids = Array.from({ length: 8 }, () => `sigterm-${randomUUID()}`);
    let started = 0;
    const streams = ids.map((id) => streamChat(api.url, 'slow', id, () => started++));
    await waitFor('all streams to start', () => started === ids.length);

    const t0 = Date.now();
    api.child.kill('SIGTERM');
    await waitFor('the replica to report draining', async () => (await fetch(`${api.url}/health/ready`)).status === 503, 2000).catch(
      () => undefined, // The listener may already be closed; refusing connections is checked below.
    );

    const bodies = await Promise.all(streams);
    for (const body of bodies) {
      expect(body).toContain('w11');
      expect(body.trimEnd().endsWith('data: [DONE]')).toBe(true);
    }
    // A NEW connection is refused (fetch could reuse a pooled keep-alive socket, so dial one by hand).
    const { port } = new URL(api.url);
    await expect(
      new Promise((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve('accepted');
        });
        socket.once('error', reject);
      }),
    ).rejects.toThrow();
    const exit = await api.exited;
    expect(exit.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(Number(/SIGTERM: draining (\d+) in-flight/.exec(api.output())?.[1])).toBeGreaterThanOrEqual(ids.length);

    // Usage left the replica before it exited: the ledger writer finds every row in the queue (or outbox).
    workers = await startWorkers();
    await waitFor('ledger rows', async () => (await ledgerRows(ids)).length === ids.length, 20_000);
    const rows = await ledgerRows(ids);
    for (const r of rows) {
      expect(r.status).toBe(200);
      expect(r.streamed).toBe(true);
      expect(r.completionTokens).toBe(WORDS.length);
    }
  }, 60_000);
});
