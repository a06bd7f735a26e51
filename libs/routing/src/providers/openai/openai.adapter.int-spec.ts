import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProviderConfig } from '@llmp/common';
import { ErrorCode, setConfigSecrets } from '@llmp/common';
import { UpstreamFailure } from '../../http/upstream-failure';
import { UpstreamHttpClient } from '../../http/upstream-http.client';
import type { RouteTarget, UpstreamCall } from '../../routing.types';
import { chatChunk, chatCompletion, closedPort, FakeUpstreamServer, sendJson, sleep, startSse } from '../../testing/fake-upstream.server';
import type { AdapterOutcome } from '../provider-adapter';
import { OpenAiAdapter } from './openai.adapter';

let upstream: FakeUpstreamServer;
let http: UpstreamHttpClient;
let adapter: OpenAiAdapter;

beforeAll(async () => {
  upstream = await FakeUpstreamServer.start();
  http = new UpstreamHttpClient();
  adapter = new OpenAiAdapter(http);
});
afterEach(() => upstream.reset());
afterAll(async () => {
  await http.onModuleDestroy();
  await upstream.close();
});

function target(over: Partial<ProviderConfig> = {}): RouteTarget {
  const provider: ProviderConfig = {
    name: 'up',
    type: 'openai',
    baseUrl: upstream.baseUrl,
    apiKey: 'sk-upstream-secret-123',
    timeoutMs: 2000,
    headers: { 'x-team': 'llmp' },
    ...over,
  };
  return { provider, model: 'upstream-model', priority: 0, weight: 1 };
}

function call(body: Record<string, unknown>, over: Partial<UpstreamCall> = {}): UpstreamCall {
  return {
    requestId: 'r1',
    endpoint: 'chat',
    body,
    stream: body.stream === true,
    signal: new AbortController().signal,
    ...over,
  };
}

async function collect(o: AdapterOutcome): Promise<Record<string, unknown>[]> {
  if (o.kind !== 'stream') throw new Error(`expected a stream, got ${o.kind}`);
  const out: Record<string, unknown>[] = [];
  for await (const batch of o.chunks) out.push(...batch);
  return out;
}

describe('OpenAiAdapter against a real HTTP upstream', () => {
  it('posts the body unchanged except model, with only config headers', async () => {
    upstream.on('/v1/chat/completions', (_req, res) => sendJson(res, 200, chatCompletion('hi')));
    const body = { model: 'client-name', messages: [{ role: 'user', content: 'x' }], temperature: 0.3, some_new_field: { a: [1] } };
    const out = await adapter.send(target(), call(body));
    expect(out).toMatchObject({ kind: 'json', status: 200, body: chatCompletion('hi') });
    const seen = upstream.requests[0];
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/v1/chat/completions');
    expect(JSON.parse(seen.body)).toEqual({ ...body, model: 'upstream-model' });
    expect(seen.headers.authorization).toBe('Bearer sk-upstream-secret-123');
    expect(seen.headers['content-type']).toBe('application/json');
    expect(seen.headers['x-team']).toBe('llmp');
    expect(seen.headers.cookie).toBeUndefined();
  });

  it('sends no authorization header when the provider has no apiKey, and keeps a baseUrl query', async () => {
    upstream.on('/v1/embeddings', (_req, res) => sendJson(res, 200, { object: 'list', data: [] }));
    await adapter.send(
      target({ apiKey: undefined, baseUrl: `${upstream.baseUrl}?api-version=2024` }),
      call({ input: 'x' }, { endpoint: 'embeddings' }),
    );
    expect(upstream.requests[0].url).toBe('/v1/embeddings?api-version=2024');
    expect(upstream.requests[0].headers.authorization).toBeUndefined();
  });

  it('passes a 400 through with its raw body bytes', async () => {
    const raw = '{"error":{"message":"bad temperature","type":"invalid_request_error","param":"temperature"}}';
    upstream.on('/v1/chat/completions', (_req, res) => res.writeHead(400, { 'content-type': 'application/json' }).end(raw));
    const out = await adapter.send(target(), call({ messages: [] }));
    expect(out.kind).toBe('passthrough-error');
    if (out.kind !== 'passthrough-error') return;
    expect(out.status).toBe(400);
    expect(out.body.toString('utf8')).toBe(raw);
    expect(out.contentType).toBe('application/json');
  });

  it.each([
    [500, 'status'],
    [503, 'status'],
    [429, 'status'],
  ])('turns %s into a failover failure naming the upstream message but never the key', async (status) => {
    upstream.on('/v1/chat/completions', (_req, res) =>
      sendJson(res, status, { error: { message: 'overloaded, key sk-upstream-secret-123 is fine' } }),
    );
    const e = await adapter.send(target(), call({ messages: [] })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UpstreamFailure);
    expect(e).toMatchObject({ kind: 'status', status });
    expect((e as UpstreamFailure).reason).toContain('overloaded');
    expect((e as UpstreamFailure).reason).not.toContain('sk-upstream-secret-123');
  });

  it('does not follow a redirect', async () => {
    upstream.on('/v1/chat/completions', (_req, res) => res.writeHead(307, { location: '/v1/elsewhere' }).end());
    upstream.on('/v1/elsewhere', (_req, res) => sendJson(res, 200, chatCompletion('should not get here')));
    const e = await adapter.send(target(), call({ messages: [] })).catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: 'status', status: 307 });
    expect(upstream.requests.map((r) => r.url)).toEqual(['/v1/chat/completions']);
  });

  it('reports connect-refused as a connect failure', async () => {
    const port = await closedPort();
    const e = await adapter.send(target({ name: 'down', baseUrl: `http://127.0.0.1:${port}/v1` }), call({ messages: [] })).catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: 'connect', status: null });
    expect((e as UpstreamFailure).reason).toContain('ECONNREFUSED');
  });

  it('times out when headers do not arrive within timeoutMs', async () => {
    upstream.on('/v1/chat/completions', async (_req, res) => {
      // Beyond the timeout plus undici's ~1 s timer resolution.
      await sleep(1800);
      if (!res.destroyed) sendJson(res, 200, chatCompletion('late'));
    });
    const e = await adapter.send(target({ name: 'slow', timeoutMs: 150 }), call({ messages: [] })).catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: 'timeout', status: null });
  });

  it('treats a 2xx that is not JSON as a failure', async () => {
    upstream.on('/v1/chat/completions', (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>'));
    const e = await adapter.send(target(), call({ messages: [] })).catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: 'invalid-response' });
  });

  it('streams chunks in order, each as soon as it arrives, ending on [DONE]', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    upstream.on('/v1/chat/completions', async (_req, res) => {
      startSse(res);
      res.write(`: ping\n\ndata: ${JSON.stringify(chatChunk('Hel'))}\n\n`);
      await gate;
      // One event split across writes, with \r\n line ends and a multi-byte character cut in half.
      const ev = Buffer.from(`data: ${JSON.stringify(chatChunk('lo wörld'))}\r\n\r\n`);
      const cut = ev.indexOf(Buffer.from('ö')) + 1;
      res.write(ev.subarray(0, cut));
      await sleep(20);
      res.write(ev.subarray(cut));
      res.write(`data: ${JSON.stringify(chatChunk('', 'stop'))}\n\ndata: [DONE]\n\n`);
      res.end();
    });
    const out = await adapter.send(target(), call({ messages: [], stream: true }));
    if (out.kind !== 'stream') throw new Error('expected a stream');
    const it = out.chunks[Symbol.asyncIterator]();
    // The first chunk must arrive while the upstream is still holding the rest back: nothing is buffered.
    const first = await it.next();
    expect(first.value).toEqual([chatChunk('Hel')]);
    release();
    const rest: Record<string, unknown>[] = [];
    for (let r = await it.next(); !r.done; r = await it.next()) rest.push(...r.value);
    expect(rest).toEqual([chatChunk('lo wörld'), chatChunk('', 'stop')]);
    expect(JSON.parse(upstream.requests[0].body).stream).toBe(true);
  });

  it('yields the events of one upstream write together, in order, and nothing after [DONE]', async () => {
    upstream.on('/v1/chat/completions', (_req, res) => {
      startSse(res);
      res.end(`data: ${JSON.stringify(chatChunk('a'))}\n\ndata: ${JSON.stringify(chatChunk('b'))}\n\n: ping\n\ndata: ${JSON.stringify(chatChunk('', 'stop'))}\n\ndata: [DONE]\n\ndata: ${JSON.stringify(chatChunk('late'))}\n\n`);
    });
    const out = await adapter.send(target(), call({ messages: [], stream: true }));
    if (out.kind !== 'stream') throw new Error('expected a stream');
    const batches: Record<string, unknown>[][] = [];
    for await (const batch of out.chunks) batches.push(batch);
    expect(batches).toEqual([[chatChunk('a'), chatChunk('b'), chatChunk('', 'stop')]]);
  });

  it('keeps the upstream connection alive across streams (the socket goes back to the pool after [DONE])', async () => {
    // Its own server: the shared fake closes idle sockets after 1 s, which undici treats as already expired.
    const sockets = new Set<number>();
    const server = createServer((req, res) => {
      sockets.add(req.socket.remotePort ?? -1);
      req.resume();
      req.on('end', () => {
        startSse(res);
        res.write(`data: ${JSON.stringify(chatChunk('a'))}\n\ndata: ${JSON.stringify(chatChunk('', 'stop'))}\n\ndata: [DONE]\n\n`);
        // The end of the chunked body arrives after the marker, as it often does from real servers.
        setTimeout(() => res.end(), 5);
      });
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    try {
      for (let i = 0; i < 5; i++) {
        const out = await adapter.send(target({ baseUrl }), call({ messages: [], stream: true }));
        expect(await collect(out)).toEqual([chatChunk('a'), chatChunk('', 'stop')]);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(sockets.size).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('throws provider_error when the stream ends without [DONE]', async () => {
    upstream.on('/v1/chat/completions', (_req, res) => {
      startSse(res);
      res.end(`data: ${JSON.stringify(chatChunk('partial'))}\n\n`);
    });
    const out = await adapter.send(target(), call({ messages: [], stream: true }));
    await expect(collect(out)).rejects.toMatchObject({ code: ErrorCode.ProviderError, message: expect.stringContaining('ended unexpectedly') });
  });

  it('throws provider_error when the upstream connection dies mid-stream', async () => {
    upstream.on('/v1/chat/completions', async (req, res) => {
      startSse(res);
      res.write(`data: ${JSON.stringify(chatChunk('a'))}\n\n`);
      await sleep(30);
      req.socket.destroy();
    });
    const out = await adapter.send(target(), call({ messages: [], stream: true }));
    const got: Record<string, unknown>[] = [];
    const run = async (): Promise<void> => {
      if (out.kind !== 'stream') return;
      for await (const batch of out.chunks) got.push(...batch);
    };
    await expect(run()).rejects.toMatchObject({ code: ErrorCode.ProviderError });
    expect(got).toEqual([chatChunk('a')]);
  });

  it('yields the chunks before an error event of the same upstream write, then throws provider_error', async () => {
    upstream.on('/v1/chat/completions', (_req, res) => {
      startSse(res);
      res.end(`data: ${JSON.stringify(chatChunk('a'))}\n\ndata: {"error":{"message":"model crashed"}}\n\ndata: [DONE]\n\n`);
    });
    const out = await adapter.send(target(), call({ messages: [], stream: true }));
    if (out.kind !== 'stream') throw new Error('expected a stream');
    const got: Record<string, unknown>[] = [];
    const run = async (): Promise<void> => {
      for await (const batch of out.chunks) got.push(...batch);
    };
    await expect(run()).rejects.toMatchObject({ code: ErrorCode.ProviderError, message: expect.stringContaining('model crashed') });
    expect(got).toEqual([chatChunk('a')]);
  });

  it('throws provider_error on an error event mid-stream', async () => {
    upstream.on('/v1/chat/completions', (_req, res) => {
      startSse(res);
      res.write(`data: ${JSON.stringify(chatChunk('a'))}\n\n`);
      res.end(`data: {"error":{"message":"model crashed"}}\n\ndata: [DONE]\n\n`);
    });
    const out = await adapter.send(target(), call({ messages: [], stream: true }));
    await expect(collect(out)).rejects.toMatchObject({ code: ErrorCode.ProviderError, message: expect.stringContaining('model crashed') });
  });

  it('aborts the upstream request mid-stream when the client signal aborts', async () => {
    upstream.on('/v1/chat/completions', (_req, res) => {
      startSse(res);
      res.write(`data: ${JSON.stringify(chatChunk('a'))}\n\n`);
      // Never ends: only the abort can close it.
    });
    const ac = new AbortController();
    const out = await adapter.send(target(), call({ messages: [], stream: true }, { signal: ac.signal }));
    if (out.kind !== 'stream') throw new Error('expected a stream');
    const it = out.chunks[Symbol.asyncIterator]();
    await it.next();
    const pending = it.next();
    ac.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect(Promise.race([upstream.requests[0].closed.then(() => 'closed'), sleep(2000).then(() => 'open')])).resolves.toBe('closed');
  });

  it('aborts the upstream request before headers when the client signal aborts', async () => {
    upstream.on('/v1/chat/completions', () => undefined);
    const ac = new AbortController();
    const p = adapter.send(target(), call({ messages: [] }, { signal: ac.signal })).catch((x: unknown) => x);
    while (!upstream.requests.length) await sleep(5);
    ac.abort();
    expect(await p).toMatchObject({ kind: 'aborted' });
    await expect(Promise.race([upstream.requests[0].closed.then(() => 'closed'), sleep(2000).then(() => 'open')])).resolves.toBe('closed');
  });

  it('times out a stream that stalls longer than timeoutMs', async () => {
    upstream.on('/v1/chat/completions', (_req, res) => {
      startSse(res);
      res.write(`data: ${JSON.stringify(chatChunk('a'))}\n\n`);
    });
    const out = await adapter.send(target({ name: 'stall', timeoutMs: 200 }), call({ messages: [], stream: true }));
    await expect(collect(out)).rejects.toMatchObject({ code: ErrorCode.ProviderTimeout });
  });

  it('never passes on its own credentials echoed in a successful answer, whole or streamed (an event split across reads)', async () => {
    const t = target({ headers: { 'x-tenant-secret': 'tenant-opaque-0123456789' } });
    setConfigSecrets({ providers: [t.provider] });
    const echo = (req: { headers: Record<string, unknown> }): string => `you sent ${String(req.headers.authorization)} and ${JSON.stringify(JSON.stringify(req.headers['x-tenant-secret']))}`;
    upstream.on('/v1/chat/completions', (req, res) => sendJson(res, 200, chatCompletion(echo(req))));
    const whole = await adapter.send(t, call({ messages: [] }));
    expect(whole.kind).toBe('json');
    const text = JSON.stringify(whole.kind === 'json' ? whole.body : null);
    expect(text).toContain('[redacted]');
    expect(text).not.toMatch(/sk-upstream-secret-123|tenant-opaque-0123456789/);

    upstream.on('/v1/chat/completions', async (req, res) => {
      startSse(res);
      const ev = Buffer.from(`data: ${JSON.stringify(chatChunk(echo(req)))}\n\n`);
      const cut = ev.indexOf(Buffer.from('upstream-secret')) + 4;
      res.write(ev.subarray(0, cut));
      await sleep(20);
      res.end(Buffer.concat([ev.subarray(cut), Buffer.from(`data: ${JSON.stringify(chatChunk('', 'stop'))}\n\ndata: [DONE]\n\n`)]));
    });
    const streamed = JSON.stringify(await collect(await adapter.send(t, call({ messages: [], stream: true }))));
    expect(streamed).toContain('[redacted]');
    expect(streamed).not.toMatch(/sk-upstream-secret-123|tenant-opaque-0123456789/);
    setConfigSecrets({ providers: [] });
  });
});
