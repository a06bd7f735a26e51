import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { call, master, startAdminApp } from '../../apps/admin/test/admin-app.fixture';
import { chatChunks, chatCompletion, FakeUpstream } from '../support/fake-upstream';
import { registerCanaries } from '../support/canary';
import { spawnWorker, type WorkerProcess } from '../support/worker-process';
import { spawnApi, waitFor, writeConfig, type ApiProcess } from '../production/production.fixture';
import { faultCase } from './fault-report';
import { accountLedger, auditEventsFor } from './ledger-accounting';

/**
 * A client hangs up in the middle of a stream on a built data plane: the upstream call is cancelled, the ledger gets
 * a 499 row with the tokens generated so far, and the key's only parallel slot (maxParallel 1) is free again at once.
 */
describe('platform: client disconnects mid-stream', () => {
  const upstream = new FakeUpstream();
  const WORDS = Array.from({ length: 40 }, (_, i) => `w${i} `);
  let admin: NestFastifyApplication | null = null;
  let api: ApiProcess | null = null;
  let worker: WorkerProcess | null = null;

  beforeAll(async () => {
    const base = await upstream.start();
    upstream.behavior = (req) =>
      req.body.stream ? { stream: { chunks: chatChunks('slow-model', WORDS), delayMs: 50 } } : { json: chatCompletion(req, 'plain') };
    const config = writeConfig(`
providers:
  - { name: up, type: openai, baseUrl: "${base}", timeoutMs: 10000 }
models:
  - { name: slow, targets: [{ provider: up, model: slow-model }], pricing: { input: 1, output: 2 } }
`);
    admin = await startAdminApp();
    api = await spawnApi({ LLMP_CONFIG: config, LLMP_LOG_LEVEL: 'warn' });
    worker = spawnWorker();
  }, 90_000);

  afterAll(async () => {
    if (api && api.child.exitCode === null) api.child.kill('SIGKILL');
    await worker?.stop();
    await admin?.close().catch(() => undefined);
    await upstream.close();
  });

  function chat(key: string, requestId: string, stream: boolean, signal?: AbortSignal): Promise<Response> {
    return fetch(`${api!.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'x-request-id': requestId },
      body: JSON.stringify({ model: 'slow', stream, messages: [{ role: 'user', content: 'hi' }] }),
      signal,
    });
  }

  faultCase('platform', 'client disconnects mid-stream: upstream cancelled, 499 row with tokens so far, parallel slot freed', async (ctx) => {
    const created = await call(admin!, 'POST', '/admin/v1/keys', { headers: master, body: { name: 'hang-up', maxParallel: 1 } });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    registerCanaries([key]);
    const id = (tag: string): string => `hangup-${tag}-${randomUUID()}`;
    const [streamId, busyId] = [id('stream'), id('busy')];

    const abort = new AbortController();
    const res = await chat(key, streamId, true, abort.signal);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while ((text.match(/"content":"w\d+ "/g) ?? []).length < 5) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended before the client hung up');
      text += decoder.decode(value, { stream: true });
    }
    // The slot is taken while the stream runs: a second request of the key is refused with a clear 429.
    const busy = await chat(key, busyId, false);
    expect(busy.status).toBe(429);
    expect(((await busy.json()) as { error: { code: string } }).error.code).toBe('rate_limit_exceeded');

    abort.abort();
    await waitFor('the upstream call to be cancelled', () => upstream.aborted === 1, 5000);

    // The slot is released with the hang-up: the next request of the key gets through within moments.
    const next: string[] = [];
    await waitFor('the next request under maxParallel 1', async () => {
      next.push(id('next'));
      return (await chat(key, next[next.length - 1], false)).status === 200;
    }, 2000);

    const ids = [streamId, busyId, ...next];
    const ledger = await accountLedger(ids, 20_000);
    await waitFor('the 429 audit event', async () => (await auditEventsFor([busyId])).length === 1, 20_000).catch(() => undefined);
    const audit = await auditEventsFor([busyId]);
    ctx.lost(ledger.missing, 'usage records');
    ctx.lost(1 - Math.min(1, audit.length), 'audit events');
    expect([ledger.missing, ledger.duplicated]).toEqual([0, 0]);
    const [aborted] = ledger.rows.get(streamId)!;
    ctx.note(`aborted stream settled with ${aborted.completionTokens} of ${WORDS.length} completion tokens; next request admitted after ${next.length} tries`);
    expect([aborted.status, aborted.errorCode, aborted.streamed]).toEqual([499, 'client_closed_request', true]);
    // Tokens the upstream generated before the hang-up: at least what the client read, never the whole answer.
    expect(aborted.completionTokens).toBeGreaterThanOrEqual(5);
    expect(aborted.completionTokens).toBeLessThan(WORDS.length);
    expect(ledger.rows.get(busyId)![0].status).toBe(429);
    expect(ledger.rows.get(next[next.length - 1])![0].status).toBe(200);
    expect(audit.map((e) => e.action)).toEqual(['request.denied.rate_limit_exceeded']);
  }, 60_000);
});
