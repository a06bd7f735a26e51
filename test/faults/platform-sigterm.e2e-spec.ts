import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { chatChunks, chatCompletion, FakeUpstream } from '../support/fake-upstream';
import { spawnWorker, type WorkerProcess } from '../support/worker-process';
import { spawnApi, streamChat, waitFor, writeConfig, type ApiProcess } from '../production/production.fixture';
import { faultCase } from './fault-report';
import { accountLedger } from './ledger-accounting';

/**
 * A built data plane process gets SIGTERM while streams and plain requests are in flight: it stops accepting, lets
 * every one of them finish, flushes usage, and exits 0; the ledger then holds a row for every request.
 */
describe('platform: data plane SIGTERM under load', () => {
  const upstream = new FakeUpstream();
  let api: ApiProcess | null = null;
  let worker: WorkerProcess | null = null;
  const WORDS = Array.from({ length: 12 }, (_, i) => `w${i} `);

  beforeAll(async () => {
    const base = await upstream.start();
    upstream.behavior = (req) =>
      req.body.stream
        ? { stream: { chunks: chatChunks('slow-model', WORDS), delayMs: 150 } }
        : { json: chatCompletion(req, 'plain answer'), delayMs: 1000 };
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
    await worker?.stop();
    await upstream.close();
  });

  faultCase('platform', 'data plane SIGTERM under load: in-flight streams and requests finish, usage flushed', async (ctx) => {
    const url = api!.url;
    const streamIds = Array.from({ length: 8 }, () => `sigterm-${randomUUID()}`);
    const plainIds = Array.from({ length: 4 }, () => `sigterm-plain-${randomUUID()}`);
    let started = 0;
    const streams = streamIds.map((id) => streamChat(url, 'slow', id, () => started++));
    const plains = plainIds.map((id) =>
      fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': id },
        body: JSON.stringify({ model: 'slow', messages: [{ role: 'user', content: 'hi' }] }),
      }),
    );
    await waitFor('all streams to start', () => started === streamIds.length && upstream.requests.length >= streamIds.length + plainIds.length);

    const t0 = Date.now();
    api!.child.kill('SIGTERM');
    await waitFor('the replica to report draining', async () => (await fetch(`${url}/health/ready`)).status === 503, 2000).catch(
      () => undefined, // The listener may already be closed; refusing connections is checked below.
    );

    const bodies = await Promise.all(streams);
    for (const body of bodies) {
      expect(body).toContain('w11');
      expect(body.trimEnd().endsWith('data: [DONE]')).toBe(true);
    }
    for (const res of await Promise.all(plains)) expect(res.status).toBe(200);
    // A NEW connection is refused (fetch could reuse a pooled keep-alive socket, so dial one by hand).
    const { port } = new URL(url);
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
    const exit = await api!.exited;
    expect(exit.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(Number(/SIGTERM: draining (\d+) in-flight/.exec(api!.output())?.[1])).toBeGreaterThanOrEqual(streamIds.length + plainIds.length);

    // Usage left the replica before it exited: a worker started only now finds every row in the queue (or outbox).
    worker = spawnWorker();
    const ledger = await accountLedger([...streamIds, ...plainIds], 20_000);
    ctx.lost(ledger.missing, 'usage records');
    expect([ledger.missing, ledger.duplicated]).toEqual([0, 0]);
    for (const id of streamIds) {
      const [row] = ledger.rows.get(id)!;
      expect([row.status, row.streamed, row.completionTokens]).toEqual([200, true, WORDS.length]);
    }
    for (const id of plainIds) expect(ledger.rows.get(id)![0].status).toBe(200);
  }, 60_000);
});
