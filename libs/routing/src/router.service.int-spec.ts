import { Test, type TestingModule } from '@nestjs/testing';
import type { GatewayConfig } from '@llmp/common';
import { ErrorCode, LlmpError } from '@llmp/common';
import { GATEWAY_CONFIG, InfraModule, loadEnv, parseGatewayConfig } from '@llmp/infra';
import { RouterService } from './router.service';
import { RoutingModule } from './routing.module';
import type { UpstreamCall, UpstreamResult } from './routing.types';
import { chatChunk, chatCompletion, closedPort, FakeUpstreamServer, sendJson, sleep, startSse } from './testing/fake-upstream.server';

let upstream: FakeUpstreamServer;
let downPort: number;
const open: TestingModule[] = [];
// Provider names are unique per spec run, so cooldown keys in the shared run prefix never leak between specs.
const tag = Math.random().toString(36).slice(2, 8);

beforeAll(async () => {
  expect(loadEnv().redisPrefix).toMatch(/^llmp_test_/);
  upstream = await FakeUpstreamServer.start();
  downPort = await closedPort();
  upstream
    .on('/ok/chat/completions', (_req, res) => sendJson(res, 200, chatCompletion('from ok')))
    .on('/e500/chat/completions', (_req, res) => sendJson(res, 500, { error: { message: 'boom' } }))
    .on('/e429/chat/completions', (_req, res) => sendJson(res, 429, { error: { message: 'slow down' } }))
    .on('/e400/chat/completions', (_req, res) =>
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"bad field","param":"x"}}'),
    )
    .on('/redirect/chat/completions', (_req, res) => res.writeHead(302, { location: `${upstream.origin}/ok/chat/completions` }).end())
    .on('/slow/chat/completions', async (_req, res) => {
      await sleep(2500);
      if (!res.destroyed) sendJson(res, 200, chatCompletion('too late'));
    })
    .on('/stream/chat/completions', (_req, res) => {
      startSse(res);
      res.write(`data: ${JSON.stringify(chatChunk('a'))}\n\n`);
      res.end(`data: ${JSON.stringify(chatChunk('b', 'stop'))}\n\ndata: [DONE]\n\n`);
    })
    .on('/dies/chat/completions', async (req, res) => {
      startSse(res);
      res.write(`data: ${JSON.stringify(chatChunk('a'))}\n\n`);
      await sleep(20);
      req.socket.destroy();
    })
    .on('/hang/chat/completions', (_req, res) => {
      startSse(res);
      res.write(`data: ${JSON.stringify(chatChunk('a'))}\n\n`);
    });
});

afterAll(async () => {
  await Promise.all(open.map((m) => m.close()));
  await upstream.close();
});

function configYaml(over: { failures?: number; cooldownMs?: number } = {}): string {
  const p = (name: string, path: string): string =>
    `  - { name: ${name}-${tag}, type: openai, baseUrl: "${upstream.origin}/${path}", apiKey: sk-secret-${name}-0000, timeoutMs: 300 }`;
  const t = (name: string, priority?: number): string =>
    `      - { provider: ${name}-${tag}, model: m-${name}${priority === undefined ? '' : `, priority: ${priority}`} }`;
  return [
    'providers:',
    p('ok', 'ok'),
    p('e500', 'e500'),
    p('e429', 'e429'),
    p('e400', 'e400'),
    p('redirect', 'redirect'),
    p('slow', 'slow'),
    p('stream', 'stream'),
    p('dies', 'dies'),
    p('hang', 'hang'),
    `  - { name: down-${tag}, type: openai, baseUrl: "http://127.0.0.1:${downPort}/v1", timeoutMs: 300 }`,
    `  - { name: claude-${tag}, type: anthropic, baseUrl: "${upstream.origin}/anthropic" }`,
    `  - { name: mock-${tag}, type: mock }`,
    'models:',
    '  - name: chain',
    '    targets:',
    t('e500'),
    t('e429'),
    t('down'),
    t('slow'),
    t('ok'),
    '  - name: client-error',
    '    targets:',
    t('e400'),
    t('ok'),
    '  - name: redirected',
    '    targets:',
    t('redirect'),
    t('ok'),
    '  - name: all-fail',
    '    targets:',
    t('e500'),
    t('down'),
    '  - name: timeout-last',
    '    targets:',
    t('e500'),
    t('slow'),
    '  - name: streamed',
    '    targets:',
    t('e500'),
    t('stream'),
    '  - name: dies',
    '    targets:',
    t('dies'),
    '  - name: hang',
    '    targets:',
    t('hang'),
    '  - name: claude',
    '    targets:',
    t('claude'),
    '  - name: mocked',
    '    targets:',
    t('mock'),
    '  - name: cooling',
    '    targets:',
    t('e500', 0),
    t('ok', 1),
    'routing:',
    `  cooldownAfterFailures: ${over.failures ?? 100}`,
    `  cooldownMs: ${over.cooldownMs ?? 60000}`,
  ].join('\n');
}

async function boot(config: GatewayConfig): Promise<RouterService> {
  const mod = await Test.createTestingModule({ imports: [InfraModule, RoutingModule] })
    .overrideProvider(GATEWAY_CONFIG)
    .useValue(config)
    .compile();
  await mod.init();
  open.push(mod);
  return mod.get(RouterService);
}

function call(over: Partial<UpstreamCall> = {}): UpstreamCall {
  return {
    requestId: 'req-1',
    endpoint: 'chat',
    body: { model: 'client-model', messages: [{ role: 'user', content: 'hi' }] },
    stream: false,
    signal: new AbortController().signal,
    ...over,
  };
}

async function run(router: RouterService, model: string, c = call()): Promise<UpstreamResult> {
  return router.execute(router.plan(model), c);
}

async function failure(p: Promise<unknown>): Promise<LlmpError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof LlmpError)) throw new Error(`expected an LlmpError, got ${String(e)}`);
  return e;
}

describe('RouterService.execute against real upstream servers', () => {
  let router: RouterService;

  beforeAll(async () => {
    router = await boot(parseGatewayConfig(configYaml(), 'test'));
  });
  beforeEach(() => (upstream.requests.length = 0));

  it('fails over on 500, 429, connect refused and timeout, in plan order, and records every attempt', async () => {
    const r = await run(router, 'chain');
    expect(r.kind).toBe('json');
    if (r.kind !== 'json') return;
    expect(r.body).toEqual(chatCompletion('from ok'));
    expect(r.target.provider.name).toBe(`ok-${tag}`);
    expect(r.attempts.map((a) => [a.provider, a.status])).toEqual([
      [`e500-${tag}`, 500],
      [`e429-${tag}`, 429],
      [`down-${tag}`, null],
      [`slow-${tag}`, null],
      [`ok-${tag}`, 200],
    ]);
    expect(r.attempts[2].reason).toContain('ECONNREFUSED');
    expect(r.attempts[3].reason).toContain('timeout');
    expect(upstream.requests.map((q) => q.url.split('/')[1])).toEqual(['e500', 'e429', 'slow', 'ok']);
    expect(JSON.parse(upstream.requests[4 - 1].body).model).toBe('m-ok');
  });

  it('never fails over on a 400: status and raw body pass through', async () => {
    const r = await run(router, 'client-error');
    expect(r.kind).toBe('passthrough-error');
    if (r.kind !== 'passthrough-error') return;
    expect(r.status).toBe(400);
    expect(r.body.toString()).toBe('{"error":{"message":"bad field","param":"x"}}');
    expect(upstream.requests.map((q) => q.url)).toEqual(['/e400/chat/completions']);
  });

  it('does not follow a redirect; it is a failed attempt', async () => {
    const r = await run(router, 'redirected');
    expect(r.attempts.map((a) => a.status)).toEqual([302, 200]);
    expect(upstream.requests.map((q) => q.url)).toEqual(['/redirect/chat/completions', '/ok/chat/completions']);
  });

  it('throws provider_error naming each attempt, without credentials, when all fail', async () => {
    const e = await failure(run(router, 'all-fail'));
    expect(e.code).toBe(ErrorCode.ProviderError);
    expect(e.status).toBe(502);
    expect(e.message).toContain(`e500-${tag}`);
    expect(e.message).toContain('HTTP 500: boom');
    expect(e.message).toContain(`down-${tag}`);
    expect(e.message).toContain('ECONNREFUSED');
    expect(e.message).not.toMatch(/sk-secret|127\.0\.0\.1/);
    expect((e.details.data?.attempts as unknown[]).length).toBe(2);
  });

  it('throws provider_timeout (504) when the last failure was a timeout', async () => {
    const e = await failure(run(router, 'timeout-last'));
    expect(e.code).toBe(ErrorCode.ProviderTimeout);
    expect(e.status).toBe(504);
  });

  it('fails over before a stream starts, then streams chunks in order', async () => {
    const r = await run(router, 'streamed', call({ stream: true, body: { messages: [], stream: true } }));
    if (r.kind !== 'stream') throw new Error(`expected a stream, got ${r.kind}`);
    expect(r.attempts.map((a) => a.status)).toEqual([500, 200]);
    const got: unknown[] = [];
    for await (const batch of r.chunks) got.push(...batch);
    expect(got).toEqual([chatChunk('a'), chatChunk('b', 'stop')]);
  });

  it('reports a mid-stream death as provider_error', async () => {
    const r = await run(router, 'dies', call({ stream: true, body: { messages: [], stream: true } }));
    if (r.kind !== 'stream') throw new Error('expected a stream');
    const consume = async (): Promise<void> => {
      for await (const _c of r.chunks) void _c;
    };
    expect(await failure(consume())).toMatchObject({ code: ErrorCode.ProviderError });
  });

  it('aborts the upstream when the client signal aborts mid-stream', async () => {
    const ac = new AbortController();
    const r = await run(router, 'hang', call({ stream: true, body: { messages: [], stream: true }, signal: ac.signal }));
    if (r.kind !== 'stream') throw new Error('expected a stream');
    const it = r.chunks[Symbol.asyncIterator]();
    await it.next();
    const next = it.next();
    ac.abort();
    await expect(next).rejects.toMatchObject({ name: 'AbortError' });
    const closed = await Promise.race([upstream.requests[0].closed.then(() => true), sleep(2000).then(() => false)]);
    expect(closed).toBe(true);
  });

  it('throws unsupported (501) when no target can serve the endpoint', async () => {
    const e = await failure(run(router, 'claude', call({ endpoint: 'embeddings' })));
    expect(e.code).toBe(ErrorCode.Unsupported);
    expect(e.status).toBe(501);
    const e2 = await failure(run(router, 'mocked', call({ endpoint: 'responses' })));
    expect(e2.code).toBe(ErrorCode.Unsupported);
  });

  it('serves the mock provider and forced providers', async () => {
    const r = await run(router, 'mocked');
    expect(r.kind).toBe('json');
    const forced = router.plan('any-model', `ok-${tag}`);
    const f = await router.execute(forced, call());
    expect(f.target.model).toBe('any-model');
    expect(JSON.parse(upstream.requests[0].body).model).toBe('any-model');
    expect(() => router.plan('x', 'no-such-provider')).toThrow(expect.objectContaining({ code: ErrorCode.ModelNotFound }));
  });

  it('lists the configured models', () => {
    expect(router.models().map((m) => m.name)).toContain('chain');
  });
});

describe('cooldowns across replicas', () => {
  it('cools a failing target down, shares it through Redis, and loads it at boot', async () => {
    const config = parseGatewayConfig(configYaml({ failures: 2, cooldownMs: 60_000 }), 'test');
    const a = await boot(config);
    const b = await boot(config);
    const e500 = `e500-${tag}`;

    expect(a.plan('cooling').targets.map((t) => t.provider.name)).toEqual([e500, `ok-${tag}`]);
    await run(a, 'cooling');
    expect(a.cooldowns()).toEqual([]);
    await run(a, 'cooling');
    // Two consecutive failures: replica A skips the target at once.
    expect(a.plan('cooling').targets.map((t) => t.provider.name)).toEqual([`ok-${tag}`]);
    expect(a.cooldowns()).toEqual([{ provider: e500, model: 'm-e500', until: expect.any(Number) }]);

    // Replica B learns it through pub/sub, without a Redis read per request.
    for (let i = 0; i < 100 && b.cooldowns().length === 0; i++) await sleep(20);
    expect(b.plan('cooling').targets.map((t) => t.provider.name)).toEqual([`ok-${tag}`]);

    // Replica C starts later and loads the cooldown key at boot.
    const c = await boot(config);
    expect(c.cooldowns()).toEqual([{ provider: e500, model: 'm-e500', until: expect.any(Number) }]);
    expect(c.plan('cooling').targets.map((t) => t.provider.name)).toEqual([`ok-${tag}`]);
  });

  it('answers no_provider_available with retryAfterSeconds when every target cools down', async () => {
    const config = parseGatewayConfig(configYaml({ failures: 1, cooldownMs: 30_000 }), 'test');
    const r = await boot(config);
    await failure(run(r, 'all-fail'));
    const e = await failure(Promise.resolve().then(() => r.plan('all-fail')));
    expect(e.code).toBe(ErrorCode.NoProviderAvailable);
    expect(e.status).toBe(503);
    expect(e.details.retryAfterSeconds).toBeGreaterThan(0);
    expect(e.details.retryAfterSeconds).toBeLessThanOrEqual(30);
  });
});
