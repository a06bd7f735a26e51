import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import OpenAI from 'openai';
import { chatChunks, chatCompletion, FakeUpstream, sleep, type Behavior } from '../support/fake-upstream';
import { startDataPlane, useConfig } from '../support/gateway-harness';

/**
 * The OpenAI surface end to end: the real data plane on Fastify, real Postgres and Redis, real upstream HTTP
 * servers, driven by the official `openai` SDK. Auth is disabled here; keys are covered by their own suites.
 */
/**
 * Cooldowns are shared state (that is the point), so each failure scenario gets its own models: a failure in one
 * test must not cool down a target another test relies on.
 */
const CHAINS = ['chain', 'chain-stream', 'chain-4xx', 'chain-all', 'chain-redirect'];
const SOLOS = ['timeout-a', 'death-c', 'abort-c', 'abortjson-c'];

describe('OpenAI surface (auth disabled)', () => {
  const a = new FakeUpstream();
  const b = new FakeUpstream();
  const c = new FakeUpstream();
  let app: NestFastifyApplication;
  let base: string;
  let client: OpenAI;

  beforeAll(async () => {
    const [ua, ub, uc] = await Promise.all([a.start(), b.start(), c.start()]);
    useConfig(`
providers:
  - { name: up-a, type: openai, baseUrl: "${ua}", apiKey: sk-upstream-a-secret, timeoutMs: 400 }
  - { name: up-b, type: openai, baseUrl: "${ub}", apiKey: sk-upstream-b-secret, timeoutMs: 400 }
  - { name: up-c, type: openai, baseUrl: "${uc}", timeoutMs: 5000 }
  - { name: mock, type: mock }
models:
${CHAINS.map((name) => `  - name: ${name}
    targets:
      - { provider: up-a, model: ${name}-a }
      - { provider: up-b, model: ${name}-b }
      - { provider: up-c, model: ${name}-c }
    pricing: { input: 1, output: 2 }
`).join('')}${SOLOS.map((name) => `  - name: ${name}
    targets: [{ provider: up-${name.slice(-1)}, model: ${name}-model }]
`).join('')}  - name: solo-a
    targets: [{ provider: up-a, model: model-a }]
  - name: solo-c
    targets: [{ provider: up-c, model: model-c }]
  - name: cooling
    targets:
      - { provider: up-b, model: cool-b }
      - { provider: up-c, model: cool-c }
  - name: mocked
    targets: [{ provider: mock, model: mock-small }]
aliases:
  fast: solo-c
auth: { mode: disabled }
routing: { cooldownAfterFailures: 2, cooldownMs: 60000 }
server: { bodyLimitBytes: 65536 }
`);
    ({ app, url: base } = await startDataPlane());
    client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'unused', maxRetries: 0 });
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  beforeEach(() => {
    for (const u of [a, b, c]) {
      u.requests.length = 0;
      u.aborted = 0;
      u.behavior = (req) => ({ json: chatCompletion(req, `hello from ${req.body.model}`) });
    }
  });

  it('passes every OpenAI field through unchanged and reports the requested model name', async () => {
    const fields = {
      temperature: 0.3,
      max_tokens: 77,
      max_completion_tokens: 66,
      top_p: 0.9,
      frequency_penalty: 0.1,
      presence_penalty: -0.2,
      stop: ['END', 'STOP'],
      seed: 42,
      logprobs: true,
      top_logprobs: 3,
      reasoning_effort: 'low',
      enable_thinking: false,
      tools: [{ type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } }],
      tool_choice: 'auto',
      response_format: { type: 'json_object' },
      user: 'user-123',
      n: 2,
      some_future_field: { nested: [1, 'two', null] },
    };
    const messages = [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] },
    ];
    const res = await client.chat.completions.create({ model: 'solo-c', messages, ...fields } as never);
    expect(res.model).toBe('solo-c');
    expect(res.choices[0].message.content).toBe('hello from model-c');
    expect(c.requests).toHaveLength(1);
    expect(c.requests[0].url).toBe('/v1/chat/completions');
    expect(c.requests[0].body).toEqual({ model: 'model-c', messages, ...fields });
  });

  it('resolves aliases from the config file', async () => {
    const res = await client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.model).toBe('fast');
    expect(c.requests[0].body.model).toBe('model-c');
  });

  it('never lets the client steer the upstream or forwards client credentials', async () => {
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer client-secret', cookie: 'session=abc', 'x-api-key': 'client-secret' },
      body: JSON.stringify({
        model: 'solo-c',
        messages: [{ role: 'user', content: 'hi' }],
        api_base: 'http://169.254.169.254/',
        base_url: 'http://evil.example/',
        api_key: 'sk-stolen',
        extra_headers: { authorization: 'Bearer sk-stolen' },
      }),
    });
    expect(res.status).toBe(200);
    const got = c.requests[0];
    expect(got.body).not.toHaveProperty('api_base');
    expect(got.body).not.toHaveProperty('base_url');
    expect(got.body).not.toHaveProperty('api_key');
    expect(got.body).not.toHaveProperty('extra_headers');
    expect(got.headers.cookie).toBeUndefined();
    expect(got.headers['x-api-key']).toBeUndefined();
    expect(got.headers.authorization).toBeUndefined();
  });

  it('sends the configured upstream credential, never the client one', async () => {
    await client.chat.completions.create({ model: 'solo-a', messages: [{ role: 'user', content: 'hi' }] });
    expect(a.requests[0].headers.authorization).toBe('Bearer sk-upstream-a-secret');
  });

  it('streams chunks in order and ends with [DONE]', async () => {
    const words = ['one ', 'two ', 'three ', 'four'];
    c.behavior = (req) => ({ stream: { chunks: chatChunks(String(req.body.model), words), delayMs: 5 } });
    const stream = await client.chat.completions.create({ model: 'solo-c', stream: true, messages: [{ role: 'user', content: 'count' }] });
    const seen: string[] = [];
    for await (const chunk of stream) {
      expect(chunk.model).toBe('solo-c');
      const piece = chunk.choices[0]?.delta?.content;
      if (piece) seen.push(piece);
    }
    expect(seen).toEqual(words);
    // llmp asks the upstream for usage even though the client did not, and strips it again.
    expect(c.requests[0].body.stream_options).toEqual({ include_usage: true });

    const raw = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'solo-c', stream: true, messages: [{ role: 'user', content: 'count' }] }),
    });
    expect(raw.headers.get('content-type')).toContain('text/event-stream');
    const text = await raw.text();
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(text).not.toContain('"usage"');
  });

  it('keeps the usage chunk when the client asks for it', async () => {
    c.behavior = (req) => ({ stream: { chunks: chatChunks(String(req.body.model), ['a', 'b']) } });
    const stream = await client.chat.completions.create({
      model: 'solo-c', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'x' }],
    });
    let usage: unknown = null;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    expect(usage).toEqual({ prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 });
  });

  it('fails over in order on 500, 429 and connection errors, before the first byte', async () => {
    a.behavior = () => ({ status: 500, json: { error: { message: 'boom' } } });
    b.behavior = () => ({ status: 429, json: { error: { message: 'slow down' } } });
    const res = await client.chat.completions.create({ model: 'chain', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.choices[0].message.content).toBe('hello from chain-c');
    expect([a.requests.length, b.requests.length, c.requests.length]).toEqual([1, 1, 1]);

    a.behavior = () => ({ destroy: true });
    b.behavior = (req) => ({ json: chatCompletion(req, 'b answered') });
    const res2 = await client.chat.completions.create({ model: 'chain', messages: [{ role: 'user', content: 'hi' }] });
    expect(res2.choices[0].message.content).toBe('b answered');
  });

  it('fails over for streams when the upstream fails before the first byte', async () => {
    a.behavior = () => ({ status: 503, json: { error: { message: 'down' } } });
    b.behavior = (req) => ({ stream: { chunks: chatChunks(String(req.body.model), ['from ', 'b']) } });
    const stream = await client.chat.completions.create({ model: 'chain-stream', stream: true, messages: [{ role: 'user', content: 'x' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('from b');
  });

  it('passes an upstream 4xx through unchanged and does not try another target', async () => {
    const body = { error: { message: 'context too long', type: 'invalid_request_error', code: 'context_length_exceeded', param: 'messages' } };
    a.behavior = () => ({ status: 400, json: body });
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chain-4xx', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(body);
    expect(b.requests).toHaveLength(0);
    expect(c.requests).toHaveLength(0);
  });

  it('answers 502 provider_error naming every attempt, without credentials, when all targets fail', async () => {
    for (const u of [a, b, c]) u.behavior = () => ({ status: 500, json: { error: { message: 'nope' } } });
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chain-all', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('provider_error');
    for (const p of ['up-a', 'up-b', 'up-c']) expect(body.error.message).toContain(p);
    expect(JSON.stringify(body)).not.toContain('sk-upstream');
  });

  it('answers 504 provider_timeout when the upstream is too slow', async () => {
    a.behavior = (req) => ({ delayMs: 1500, json: chatCompletion(req, 'late') });
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'timeout-a', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(504);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('provider_timeout');
  });

  it('does not follow upstream redirects', async () => {
    a.behavior = () => ({ status: 302, headers: { location: `http://127.0.0.1:1/steal` }, text: '' });
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chain-redirect', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    expect(a.requests).toHaveLength(1);
    expect(b.requests).toHaveLength(1);
  });

  it('cools down a target that keeps failing and skips it meanwhile', async () => {
    b.behavior = () => ({ status: 500, json: { error: { message: 'broken' } } });
    for (let i = 0; i < 4; i++) {
      const res = await client.chat.completions.create({ model: 'cooling', messages: [{ role: 'user', content: 'hi' }] });
      expect(res.choices[0].message.content).toBe('hello from cool-c');
    }
    // Two failures trip the cooldown; the later requests go straight to the next target.
    expect(b.requests).toHaveLength(2);
    expect(c.requests).toHaveLength(4);
  });

  it('reports a mid-stream upstream death as an SSE error, never as a clean completion', async () => {
    c.behavior = (req) => ({ stream: { chunks: chatChunks(String(req.body.model), ['a', 'b', 'c', 'd']), delayMs: 20, dieAfter: 2 } });
    const raw = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'death-c', stream: true, messages: [{ role: 'user', content: 'x' }] }),
    });
    const text = await raw.text();
    expect(text).toContain('event: error');
    expect(text).toContain('provider_error');
    expect(text).not.toContain('[DONE]');

    const stream = await client.chat.completions.create({ model: 'death-c', stream: true, messages: [{ role: 'user', content: 'x' }] });
    await expect((async () => {
      for await (const _ of stream) void _;
    })()).rejects.toThrow();
  });

  it('aborts the upstream request at once when the client disconnects', async () => {
    c.behavior = (req) => ({ stream: { chunks: chatChunks(String(req.body.model), Array.from({ length: 50 }, (_, i) => `w${i} `)), delayMs: 50 } });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'abort-c', stream: true, messages: [{ role: 'user', content: 'x' }] },
      { signal: controller.signal },
    );
    let n = 0;
    try {
      for await (const _ of stream) {
        if (++n === 3) controller.abort();
      }
    } catch {
      // The SDK may surface the abort as an error or simply end the iteration; either is fine here.
    }
    expect(n).toBeLessThan(10);
    for (let i = 0; i < 40 && c.aborted === 0; i++) await sleep(25);
    expect(c.aborted).toBe(1);
  });

  it('aborts a non-streaming upstream call when the client disconnects', async () => {
    c.behavior = (req) => ({ delayMs: 1000, json: chatCompletion(req, 'late') });
    const controller = new AbortController();
    const pending = fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'abortjson-c', messages: [{ role: 'user', content: 'x' }] }),
      signal: controller.signal,
    });
    await sleep(150);
    controller.abort();
    await expect(pending).rejects.toThrow();
    for (let i = 0; i < 40 && c.aborted === 0; i++) await sleep(25);
    expect(c.aborted).toBe(1);
  });

  it.each([
    ['malformed JSON', '{"model": "solo-c", "messages": [', 400, 'invalid_request_error'],
    ['missing model', JSON.stringify({ messages: [{ role: 'user', content: 'x' }] }), 400, 'invalid_request_error'],
    ['missing messages', JSON.stringify({ model: 'solo-c' }), 400, 'invalid_request_error'],
    ['a JSON array', '[1,2,3]', 400, 'invalid_request_error'],
    ['unknown model', JSON.stringify({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }), 404, 'model_not_found'],
  ])('rejects %s with the OpenAI envelope', async (_name, body, status, code) => {
    const res = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(status);
    const json = (await res.json()) as { error: Record<string, unknown> };
    expect(json.error).toEqual(expect.objectContaining({ code, message: expect.any(String), type: expect.any(String) }));
    expect(json.error).toHaveProperty('param');
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('rejects a body over the limit with 413', async () => {
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'solo-c', messages: [{ role: 'user', content: 'x'.repeat(70_000) }] }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('request_too_large');
  });

  it('echoes a sane client x-request-id and makes one otherwise', async () => {
    const mine = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'client-req-12345' },
      body: JSON.stringify({ model: 'solo-c', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(mine.headers.get('x-request-id')).toBe('client-req-12345');
    const insane = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'bad id with spaces <script>' },
      body: JSON.stringify({ model: 'solo-c', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(insane.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('serves the mock provider: chat, stream, legacy completions and embeddings', async () => {
    const chat = await client.chat.completions.create({ model: 'mocked', messages: [{ role: 'user', content: 'ping' }] });
    expect(chat.choices[0].message.content).toEqual(expect.any(String));
    expect(chat.usage?.prompt_tokens).toBeGreaterThan(0);
    const stream = await client.chat.completions.create({ model: 'mocked', stream: true, messages: [{ role: 'user', content: 'ping' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe(chat.choices[0].message.content);
    const legacy = await client.completions.create({ model: 'mocked', prompt: 'say hi' });
    expect(legacy.choices[0].text).toEqual(expect.any(String));
    const emb = await client.embeddings.create({ model: 'mocked', input: ['a', 'b'] });
    expect(emb.data).toHaveLength(2);
    expect(emb.data[0].embedding.length).toBeGreaterThan(0);
  });

  it('forwards legacy completions and embeddings to OpenAI-compatible upstreams', async () => {
    c.behavior = (req) => (req.url.endsWith('/embeddings')
      ? { json: { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }], model: req.body.model, usage: { prompt_tokens: 2, total_tokens: 2 } } }
      : { json: { id: 'cmpl-1', object: 'text_completion', created: 1, model: req.body.model, choices: [{ index: 0, text: 'done', finish_reason: 'stop', logprobs: null }], usage: { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 } } });
    const legacy = await client.completions.create({ model: 'solo-c', prompt: 'p', max_tokens: 5 });
    expect(legacy.model).toBe('solo-c');
    expect(c.requests[0].url).toBe('/v1/completions');
    const emb = await client.embeddings.create({ model: 'solo-c', input: 'text', encoding_format: 'float' });
    expect(emb.data[0].embedding).toEqual([0.1, 0.2]);
    expect(c.requests[1].url).toBe('/v1/embeddings');
  });

  it('lists models in the OpenAI shape without upstream details', async () => {
    const list = await client.models.list();
    const ids = list.data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['chain', 'solo-a', 'mocked', 'fast']));
    expect(JSON.stringify(list.data)).not.toContain('127.0.0.1');
    expect(JSON.stringify(list.data)).not.toContain('model-a');
  });

  it('answers health probes', async () => {
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
  });
});

export type { Behavior };
