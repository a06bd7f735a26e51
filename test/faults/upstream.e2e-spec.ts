import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import { chatChunks, chatCompletion, FakeUpstream, sleep } from '../support/fake-upstream';
import { spawnApi, startWorkers, writeConfig, type ApiProcess } from '../production/production.fixture';
import { ChaosUpstream, writeEndlessly } from './chaos-upstream';
import { faultCase, type FaultContext } from './fault-report';
import { anthropicToolStream } from '../surfaces/fake-provider.server';
import { accountLedger, auditEventsFor, type LedgerRow } from './ledger-accounting';

const MiB = 1024 * 1024;
// The data plane under test caps what it holds from one upstream answer at this (LLMP default is larger).
const RESPONSE_CAP = 8 * MiB;
// What the gigantic acts try to send: far beyond the cap, so unbounded buffering would show in the RSS.
const GIGANTIC = 160 * MiB;

/** Resident and peak-resident memory of a process, in bytes (Linux `/proc/<pid>/status`). */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/**
 * Peak RSS of `pid` while `work` runs: the kernel's watermark after resetting it (`echo 5 > clear_refs`), and where
 * that is not permitted, the highest of samples taken every 10 ms.
 */
async function peakWhile<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let watermark = true;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    watermark = false;
  }
  let sampled = memoryOf(pid).rss;
  const timer = setInterval(() => (sampled = Math.max(sampled, memoryOf(pid).rss)), 10);
  try {
    const result = await work();
    return { result, peak: watermark ? memoryOf(pid).peak : sampled };
  } finally {
    clearInterval(timer);
  }
}

function sse(model: string, chunk: object): string {
  return `data: ${JSON.stringify({ ...chunk, model })}\n\n`;
}

/**
 * Misbehaving providers against a built data plane process, real Postgres and Redis. Each case sends requests with
 * known `x-request-id`s, asserts what the client sees and that the process keeps serving, then accounts for the
 * ledger: exactly one usage record per request sent (a missing one is data lost). Provider errors are not policy
 * denials, so the data plane writes no audit event for them (checked in the 429 case, the one a denial resembles).
 */
describe('upstream faults', () => {
  const good = new FakeUpstream();
  const chaos = new ChaosUpstream();
  // Stands for anything internal a redirect could point at (the control plane, a metadata service).
  let internalHits = 0;
  const internal: Server = createServer((_req, res) => {
    internalHits++;
    res.end('{"keys":["secret"]}');
  });
  let api: ApiProcess;
  let workers: INestApplicationContext;

  beforeAll(async () => {
    const goodBase = await good.start();
    good.behavior = (req) =>
      req.body.stream ? { stream: { chunks: chatChunks(String(req.body.model), ['fine ', 'answer']) } } : { json: chatCompletion(req, 'fine answer') };
    internal.listen(0, '127.0.0.1');
    await once(internal, 'listening');
    const internalUrl = `http://127.0.0.1:${(internal.address() as AddressInfo).port}`;
    const chaosBase = await chaos.start();
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      (_req: unknown, res: import('node:http').ServerResponse) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
    chaos
      .on('http-500', json(500, { error: { message: 'upstream exploded', type: 'server_error' } }))
      .on('http-429-slow', json(429, { error: { message: 'slow down', type: 'rate_limit' } }, { 'retry-after': '7' }))
      .on('http-429-soon', json(429, { error: { message: 'slow down', type: 'rate_limit' } }, { 'retry-after': '3' }))
      .on('reset', (req) => {
        req.socket.destroy();
      })
      .on('reset-mid-body', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' });
        res.write('{"id":"chatcmpl-x","choices":[{"message":{"content":"par');
        setTimeout(() => res.socket?.destroy(), 50);
      })
      .on('hang', () => undefined)
      .on('slow-headers', async (req, res, body) => {
        await sleep(400);
        json(200, chatCompletion({ method: 'POST', url: '', headers: req.headers, body }, 'worth the wait'))(req, res);
      })
      .on('slow-first-chunk', async (_req, res, body) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.flushHeaders();
        await sleep(8000);
        if (!res.destroyed) res.end(chatChunks(String(body.model), ['late']).map((c) => sse(String(body.model), c)).join('') + 'data: [DONE]\n\n');
      })
      .on('cut', async (_req, res, body) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const c of chatChunks(String(body.model), ['one ', 'two ', 'three ']).slice(0, 3)) res.write(sse(String(body.model), c));
        await sleep(100);
        res.socket?.destroy();
      })
      .on('malformed', async (_req, res, body) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(sse(String(body.model), chatChunks(String(body.model), ['ok '])[1]));
        res.write('data: {"choices":[{"delta":{"content":"brok\n\n');
        res.end('data: [DONE]\n\n');
      })
      .on('html-200', (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body>502 Bad Gateway (from a proxy in front of the provider)</body></html>');
      })
      .on('not-http', (req) => {
        req.socket.end('SSH-2.0-OpenSSH_9.2\r\n\r\n');
      })
      .on('giant-json', async (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"');
        await writeEndlessly(res, Buffer.alloc(64 * 1024, 'a'), GIGANTIC, (n) => chaos.countBytes('giant-json', n));
        res.end('"}}]}');
      })
      .on('giant-event', async (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: {"choices":[{"index":0,"delta":{"content":"');
        await writeEndlessly(res, Buffer.alloc(64 * 1024, 'b'), GIGANTIC, (n) => chaos.countBytes('giant-event', n));
        res.end('"}}]}\n\n');
      })
      // The translated providers' own wire formats: an Anthropic SSE stream cut mid-way, an endless Ollama NDJSON line.
      .on('anthropic-cut', async (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const ev of anthropicToolStream('claude-up').slice(0, 7)) res.write(`event: ${ev.event}\ndata: ${JSON.stringify(ev.data)}\n\n`);
        await sleep(100);
        res.socket?.destroy();
      })
      .on('ndjson-giant', async (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.write('{"model":"llama","message":{"role":"assistant","content":"');
        await writeEndlessly(res, Buffer.alloc(64 * 1024, 'c'), GIGANTIC, (n) => chaos.countBytes('ndjson-giant', n));
        res.end('"},"done":true}\n');
      })
      .on('redirect-internal', json(302, {}, { location: `${internalUrl}/admin/v1/keys` }))
      .on('redirect-metadata', json(307, {}, { location: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' }));

    const config = writeConfig(`
providers:
  - { name: chaos, type: openai, baseUrl: "${chaosBase}", timeoutMs: 5000 }
  - { name: chaos-fast, type: openai, baseUrl: "${chaosBase}", timeoutMs: 1000 }
  - { name: good, type: openai, baseUrl: "${goodBase}", timeoutMs: 5000 }
  - { name: chaos-anthropic, type: anthropic, baseUrl: "${chaosBase}", apiKey: sk-ant-fault, timeoutMs: 5000 }
  - { name: chaos-ollama, type: ollama, baseUrl: "${chaosBase.replace(/\/v1$/, '')}", timeoutMs: 5000 }
models:
  - { name: healthy, targets: [{ provider: good, model: ok }] }
  - { name: fo-500, targets: [{ provider: chaos, model: http-500 }, { provider: good, model: ok }] }
  - { name: solo-500, targets: [{ provider: chaos, model: http-500 }] }
  - { name: fo-429, targets: [{ provider: chaos, model: http-429-slow }, { provider: good, model: ok }] }
  - { name: all-429, targets: [{ provider: chaos, model: http-429-slow }, { provider: chaos, model: http-429-soon }] }
  - { name: fo-reset, targets: [{ provider: chaos, model: reset }, { provider: good, model: ok }] }
  - { name: solo-reset, targets: [{ provider: chaos, model: reset }] }
  - { name: fo-reset-mid-body, targets: [{ provider: chaos, model: reset-mid-body }, { provider: good, model: ok }] }
  - { name: fo-timeout, targets: [{ provider: chaos-fast, model: hang }, { provider: good, model: ok }] }
  - { name: solo-timeout, targets: [{ provider: chaos-fast, model: hang }] }
  - { name: slow-headers, targets: [{ provider: chaos-fast, model: slow-headers }] }
  - { name: slow-first-chunk, targets: [{ provider: chaos-fast, model: slow-first-chunk }, { provider: good, model: ok }] }
  - { name: cut, targets: [{ provider: chaos, model: cut }, { provider: good, model: ok }] }
  - { name: malformed, targets: [{ provider: chaos, model: malformed }, { provider: good, model: ok }] }
  - { name: fo-html, targets: [{ provider: chaos, model: html-200 }, { provider: good, model: ok }] }
  - { name: fo-not-http, targets: [{ provider: chaos, model: not-http }, { provider: good, model: ok }] }
  - { name: solo-not-http, targets: [{ provider: chaos, model: not-http }] }
  - { name: giant-json, targets: [{ provider: chaos, model: giant-json }] }
  - { name: giant-event, targets: [{ provider: chaos, model: giant-event }] }
  - { name: anthropic-fo-500, targets: [{ provider: chaos-anthropic, model: http-500 }, { provider: good, model: ok }] }
  - { name: anthropic-cut, targets: [{ provider: chaos-anthropic, model: anthropic-cut }] }
  - { name: ollama-giant, targets: [{ provider: chaos-ollama, model: ndjson-giant }] }
  - { name: redirect-internal, targets: [{ provider: chaos, model: redirect-internal }] }
  - { name: redirect-metadata, targets: [{ provider: chaos, model: redirect-metadata }] }
routing: { cooldownMs: 0, maxResponseBytes: ${RESPONSE_CAP} }
auth: { mode: disabled }
`);
    [api, workers] = await Promise.all([spawnApi({ LLMP_CONFIG: config, LLMP_LOG_LEVEL: 'warn' }), startWorkers()]);
  }, 90_000);

  afterAll(async () => {
    if (api?.child.exitCode === null) api.child.kill('SIGKILL');
    await workers?.close();
    internal.closeAllConnections();
    await Promise.all([good.close(), chaos.close(), new Promise((r) => internal.close(r))]);
  });

  interface Reply {
    id: string;
    status: number;
    headers: Headers;
    text: string;
    ms: number;
    json: () => any;
  }

  /** One request to any surface of the data plane; the body is read whole (the stream's text for streams). */
  async function send(path: string, model: string, extra: Record<string, unknown>): Promise<Reply> {
    const id = `fault-${model}-${randomUUID()}`;
    const started = Date.now();
    const res = await fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': id, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], ...extra }),
    });
    const text = await res.text();
    return { id, status: res.status, headers: res.headers, text, ms: Date.now() - started, json: () => JSON.parse(text) };
  }

  function chat(model: string, opts: { stream?: boolean } = {}): Promise<Reply> {
    return send('/v1/chat/completions', model, { stream: opts.stream ?? false });
  }

  /** The SSE `event: error` payload of a stream, if it ended with one. */
  function sseError(text: string): { error: { code: string; message: string } } | null {
    const m = /event: error\ndata: (.*)\n\n/.exec(text);
    return m ? JSON.parse(m[1]) : null;
  }

  /** Ledger accounting: counts the loss on `ctx` first, so a failing assertion below still reports it. */
  async function settle(ctx: FaultContext, ids: string[]): Promise<Map<string, LedgerRow>> {
    const account = await accountLedger(ids);
    ctx.lost(account.missing, 'usage records');
    expect({ missing: account.missing, duplicated: account.duplicated }).toEqual({ missing: 0, duplicated: 0 });
    return new Map([...account.rows].map(([id, rows]) => [id, rows[0]]));
  }

  /** The process survived and still answers (streamed and plain), and those requests are accounted too. */
  async function stillServing(ctx: FaultContext): Promise<void> {
    expect(api.child.exitCode).toBeNull();
    const [plain, streamed] = await Promise.all([chat('healthy'), chat('healthy', { stream: true })]);
    expect(plain.status).toBe(200);
    expect(streamed.text).toContain('data: [DONE]');
    await settle(ctx, [plain.id, streamed.id]);
  }

  faultCase('upstream', '500 fails over to the next provider; alone, a clear 502', async (ctx) => {
    const over = await chat('fo-500');
    expect(over.status).toBe(200);
    expect(over.json().choices[0].message.content).toBe('fine answer');
    // Streamed, the failover happens before the first byte, so the client sees one clean stream.
    const overStreamed = await chat('fo-500', { stream: true });
    expect(overStreamed.status).toBe(200);
    expect(overStreamed.text).toContain('fine ');
    expect(overStreamed.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    const solo = await chat('solo-500');
    expect(solo.status).toBe(502);
    expect(solo.json().error).toMatchObject({ type: 'api_error', code: 'provider_error' });
    expect(solo.json().error.message).toContain('HTTP 500');
    const rows = await settle(ctx, [over.id, overStreamed.id, solo.id]);
    expect(rows.get(over.id)).toMatchObject({ status: 200, provider: 'good' });
    expect(rows.get(over.id)!.attempts.map((a) => a.status)).toEqual([500, 200]);
    expect(rows.get(overStreamed.id)).toMatchObject({ status: 200, provider: 'good', streamed: true });
    expect(rows.get(solo.id)).toMatchObject({ status: 502, errorCode: 'provider_error' });
    await stillServing(ctx);
  });

  faultCase('upstream', '429 with Retry-After fails over; all exhausted, the client gets 429 with the soonest Retry-After', async (ctx) => {
    const over = await chat('fo-429');
    expect(over.status).toBe(200);
    const all = await chat('all-429');
    expect(all.status).toBe(429);
    expect(all.headers.get('retry-after')).toBe('3');
    expect(all.json().error).toMatchObject({ type: 'rate_limit_error', code: 'provider_rate_limited' });
    const streamed = await chat('all-429', { stream: true });
    expect(streamed.status).toBe(429);
    expect(streamed.headers.get('retry-after')).toBe('3');
    // Another surface, the same decision in its own envelope.
    const anthropic = await send('/v1/messages', 'all-429', { max_tokens: 16 });
    expect(anthropic.status).toBe(429);
    expect(anthropic.headers.get('retry-after')).toBe('3');
    expect(anthropic.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    const ids = [over.id, all.id, streamed.id, anthropic.id];
    const rows = await settle(ctx, ids);
    expect(rows.get(over.id)!.attempts.map((a) => a.status)).toEqual([429, 200]);
    expect(rows.get(all.id)).toMatchObject({ status: 429, errorCode: 'provider_rate_limited' });
    expect(rows.get(anthropic.id)).toMatchObject({ status: 429, errorCode: 'provider_rate_limited' });
    // An upstream's 429 is not a policy denial of this caller: nothing in the audit log.
    expect(await auditEventsFor(ids)).toEqual([]);
    await stillServing(ctx);
  });

  faultCase('upstream', 'connection reset (before or during the body) fails over; alone, a clear 502', async (ctx) => {
    const over = await chat('fo-reset');
    expect(over.status).toBe(200);
    const midBody = await chat('fo-reset-mid-body');
    expect(midBody.status).toBe(200);
    expect(midBody.json().choices[0].message.content).toBe('fine answer');
    const solo = await chat('solo-reset', { stream: true });
    expect(solo.status).toBe(502);
    expect(solo.json().error.code).toBe('provider_error');
    expect(solo.json().error.message).toMatch(/connection failed|ECONNRESET|socket/i);
    const rows = await settle(ctx, [over.id, midBody.id, solo.id]);
    expect(rows.get(over.id)).toMatchObject({ status: 200, provider: 'good' });
    expect(rows.get(midBody.id)).toMatchObject({ status: 200, provider: 'good' });
    expect(rows.get(midBody.id)!.attempts.map((a) => a.status)).toEqual([null, 200]);
    expect(rows.get(solo.id)).toMatchObject({ status: 502, errorCode: 'provider_error', streamed: true });
    await stillServing(ctx);
  });

  faultCase('upstream', 'timeout (no response headers) fails over; alone, a 504 within the provider timeout', async (ctx) => {
    const over = await chat('fo-timeout');
    expect(over.status).toBe(200);
    const solo = await chat('solo-timeout');
    expect(solo.status).toBe(504);
    expect(solo.json().error.code).toBe('provider_timeout');
    // timeoutMs 1000, checked by undici on a coarse (about 1 s) clock.
    expect(solo.ms).toBeLessThan(3500);
    ctx.note(`504 after ${solo.ms} ms (provider timeoutMs 1000)`);
    const rows = await settle(ctx, [over.id, solo.id]);
    expect(rows.get(solo.id)).toMatchObject({ status: 504, errorCode: 'provider_timeout' });
    await stillServing(ctx);
  });

  faultCase('upstream', 'slow first byte: within the timeout it succeeds; a stream stalled past it ends with an SSE error', async (ctx) => {
    const slow = await chat('slow-headers');
    expect(slow.status).toBe(200);
    expect(slow.json().choices[0].message.content).toBe('worth the wait');
    // Headers arrived, so the answer is committed to this provider (failover happens only before the first byte).
    const stalled = await chat('slow-first-chunk', { stream: true });
    expect(stalled.status).toBe(200);
    expect(sseError(stalled.text)?.error.code).toBe('provider_timeout');
    expect(stalled.text).not.toContain('data: [DONE]');
    // timeoutMs 1000 between body bytes (coarse clock), far before the upstream's 8 s.
    expect(stalled.ms).toBeLessThan(5000);
    const rows = await settle(ctx, [slow.id, stalled.id]);
    expect(rows.get(slow.id)).toMatchObject({ status: 200 });
    expect(rows.get(stalled.id)).toMatchObject({ errorCode: 'provider_timeout', streamed: true });
    await stillServing(ctx);
  });

  faultCase('upstream', 'stream cut mid-way: the client gets what was sent, then an SSE error event; the ledger row marks it', async (ctx) => {
    const cut = await chat('cut', { stream: true });
    expect(cut.status).toBe(200);
    expect(cut.text).toContain('one ');
    expect(sseError(cut.text)?.error.code).toBe('provider_error');
    expect(cut.text).not.toContain('data: [DONE]');
    const rows = await settle(ctx, [cut.id]);
    expect(rows.get(cut.id)).toMatchObject({ status: 502, errorCode: 'provider_error', streamed: true, provider: 'chaos' });
    // What reached the client is counted (estimated), not dropped.
    expect(rows.get(cut.id)!.completionTokens).toBeGreaterThan(0);
    await stillServing(ctx);
  });

  faultCase('upstream', 'malformed answers (broken SSE, HTML with 200, bytes that are not HTTP): no crash, failover or a clear error, a ledger row', async (ctx) => {
    const bad = await chat('malformed', { stream: true });
    expect(bad.status).toBe(200);
    expect(sseError(bad.text)?.error.code).toBe('provider_error');
    expect(bad.text).not.toContain('data: [DONE]');
    // Before the first byte reached the client, an unusable answer is just a failed attempt.
    const html = await chat('fo-html');
    expect(html.status).toBe(200);
    expect(html.json().choices[0].message.content).toBe('fine answer');
    const notHttp = await chat('fo-not-http');
    expect(notHttp.status).toBe(200);
    const soloNotHttp = await chat('solo-not-http');
    expect(soloNotHttp.status).toBe(502);
    expect(soloNotHttp.json().error.code).toBe('provider_error');
    const rows = await settle(ctx, [bad.id, html.id, notHttp.id, soloNotHttp.id]);
    expect(rows.get(bad.id)).toMatchObject({ status: 502, errorCode: 'provider_error', streamed: true });
    expect(rows.get(html.id)!.attempts[0].reason).toMatch(/not JSON/);
    expect(rows.get(soloNotHttp.id)).toMatchObject({ status: 502, errorCode: 'provider_error' });
    await stillServing(ctx);
  });

  faultCase('upstream', 'gigantic response (160 MiB JSON body, 160 MiB SSE event): memory stays bounded, a clear 502', async (ctx) => {
    const pid = api.child.pid!;
    for (const [model, stream] of [['giant-json', false], ['giant-event', true]] as const) {
      const before = memoryOf(pid);
      const { result: r, peak } = await peakWhile(pid, () => chat(model, { stream }));
      const grew = Math.max(0, peak - before.rss);
      ctx.note(`${model}: upstream sent ${Math.round((chaos.bytesSent.get(model) ?? 0) / MiB)} MiB, peak RSS +${Math.round(grew / MiB)} MiB`);
      if (stream) {
        expect(r.status).toBe(200);
        expect(sseError(r.text)?.error.code).toBe('provider_error');
        expect(sseError(r.text)?.error.message).toMatch(/larger than/);
      } else {
        expect(r.status).toBe(502);
        expect(r.json().error.code).toBe('provider_error');
        expect(r.json().error.message).toMatch(/larger than/);
      }
      // The upstream was cut off near the cap, not read to the end.
      expect(chaos.bytesSent.get(model) ?? 0).toBeLessThan(GIGANTIC / 2);
      expect(grew).toBeLessThan(RESPONSE_CAP * 6);
      await settle(ctx, [r.id]);
    }
    await stillServing(ctx);
  });

  faultCase('upstream', 'translated providers and surfaces: Anthropic 500 fails over, a cut Anthropic stream and an endless Ollama line end with the surface\'s error', async (ctx) => {
    const over = await send('/v1/messages', 'anthropic-fo-500', { max_tokens: 16 });
    expect(over.status).toBe(200);
    expect(over.json()).toMatchObject({ type: 'message', content: [{ type: 'text', text: 'fine answer' }] });

    const cut = await send('/v1/messages', 'anthropic-cut', { max_tokens: 16, stream: true });
    expect(cut.status).toBe(200);
    expect(cut.text).toContain('Checking ');
    expect(cut.text).toMatch(/event: error\ndata: .*"type":"api_error"/);
    expect(cut.text).not.toContain('message_stop');

    const pid = api.child.pid!;
    const before = memoryOf(pid);
    const { result: giant, peak } = await peakWhile(pid, () => send('/api/chat', 'ollama-giant', { stream: true }));
    ctx.note(`ollama-giant: upstream sent ${Math.round((chaos.bytesSent.get('ndjson-giant') ?? 0) / MiB)} MiB, peak RSS +${Math.round(Math.max(0, peak - before.rss) / MiB)} MiB`);
    expect(giant.status).toBe(200);
    const last = JSON.parse(giant.text.trim().split('\n').pop()!);
    expect(last.error).toMatch(/^provider_error: upstream sent a stream event larger than/);
    expect(peak - before.rss).toBeLessThan(RESPONSE_CAP * 6);

    const rows = await settle(ctx, [over.id, cut.id, giant.id]);
    expect(rows.get(over.id)).toMatchObject({ status: 200, provider: 'good' });
    expect(rows.get(cut.id)).toMatchObject({ status: 502, errorCode: 'provider_error', streamed: true, provider: 'chaos-anthropic' });
    expect(rows.get(giant.id)).toMatchObject({ status: 502, errorCode: 'provider_error', streamed: true });
    await stillServing(ctx);
  });

  faultCase('upstream', 'redirect to an internal address (127.0.0.1 admin, 169.254.169.254) is never followed: a clear 502', async (ctx) => {
    const ids: string[] = [];
    for (const model of ['redirect-internal', 'redirect-metadata']) {
      const r = await chat(model);
      ids.push(r.id);
      expect(r.status).toBe(502);
      expect(r.json().error.code).toBe('provider_error');
      expect(r.json().error.message).toMatch(/redirect 30[27] not followed/);
      expect(r.text).not.toContain('169.254');
      expect(r.text).not.toContain('/admin/');
    }
    expect(internalHits).toBe(0);
    const rows = await settle(ctx, ids);
    for (const id of ids) expect(rows.get(id)).toMatchObject({ status: 502, errorCode: 'provider_error' });
    await stillServing(ctx);
  });
});
