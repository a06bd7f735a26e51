import Anthropic from '@anthropic-ai/sdk';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import OpenAI from 'openai';
import { call, master, startAdminApp } from '../../apps/admin/test/admin-app.fixture';
import { chatChunks, chatCompletion, FakeUpstream } from '../support/fake-upstream';
import { startDataPlane, useConfig } from '../support/gateway-harness';

/** Policy through the translating surfaces with a real key from the control plane: caps and the allowlist. */
describe('surfaces with a real key', () => {
  const upstream = new FakeUpstream();
  let admin: NestFastifyApplication;
  let app: NestFastifyApplication;
  let base: string;
  let key: string;

  beforeAll(async () => {
    const uo = await upstream.start();
    useConfig(`
providers:
  - { name: oa, type: openai, baseUrl: "${uo}", timeoutMs: 5000 }
models:
  - { name: capped, targets: [{ provider: oa, model: capped-up }] }
  - { name: secret, targets: [{ provider: oa, model: secret-up }] }
`);
    admin = await startAdminApp();
    await admin.init();
    const res = await call(admin, 'POST', '/admin/v1/keys', { headers: master, body: { name: 't', allowedModels: ['capped'], perModelMaxTokens: { capped: 100 } } });
    expect(res.status).toBe(201);
    key = (res.body as { key: string }).key;
    ({ app, url: base } = await startDataPlane());
  });

  afterAll(async () => {
    await app?.close();
    await admin?.close();
    await upstream.close();
  });

  beforeEach(() => {
    upstream.requests.length = 0;
    upstream.behavior = (req) => ({ json: chatCompletion(req, 'ok') });
  });

  it('caps Responses max_output_tokens, streaming and not', async () => {
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: key, maxRetries: 0 });
    const res = await client.responses.create({ model: 'capped', input: 'hi', max_output_tokens: 5000 });
    expect(res.output_text).toBe('ok');
    expect(upstream.requests[0].body.max_tokens).toBe(100);

    upstream.behavior = (req) => ({ stream: { chunks: chatChunks(String(req.body.model), ['o', 'k']) } });
    const stream = await client.responses.create({ model: 'capped', input: 'hi', stream: true });
    let text = '';
    for await (const ev of stream) if (ev.type === 'response.output_text.delta') text += ev.delta;
    expect(text).toBe('ok');
    expect(upstream.requests[1].body.max_tokens).toBe(100);
  });

  it('caps Anthropic max_tokens and accepts the key as Bearer (the SDK) and x-api-key', async () => {
    const client = new Anthropic({ baseURL: base, apiKey: key, maxRetries: 0 });
    await client.messages.create({ model: 'capped', max_tokens: 4096, messages: [{ role: 'user', content: 'hi' }] });
    expect(upstream.requests[0].body.max_tokens).toBe(100);
    const res = await fetch(`${base}/v1/messages`, {
      method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'capped', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
  });

  it('caps Gemini maxOutputTokens with the key in ?key=, and denies models outside the allowlist in each envelope', async () => {
    const ok = await fetch(`${base}/v1beta/models/capped:generateContent?key=${key}`, {
      method: 'POST', body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }], generationConfig: { maxOutputTokens: 999 } }),
    });
    expect(ok.status).toBe(200);
    expect(upstream.requests[0].body.max_tokens).toBe(100);

    const gem = await fetch(`${base}/v1beta/models/secret:generateContent`, {
      method: 'POST', headers: { 'x-goog-api-key': key }, body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
    });
    expect(gem.status).toBe(400);
    expect(await gem.json()).toMatchObject({ error: { code: 400, status: 'PERMISSION_DENIED' } });
    const ant = await fetch(`${base}/v1/messages`, {
      method: 'POST', headers: { authorization: `Bearer ${key}` }, body: JSON.stringify({ model: 'secret', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(await ant.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', code: 'model_not_allowed' } });
    const oll = await fetch(`${base}/api/chat`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: JSON.stringify({ model: 'secret', messages: [] }) });
    expect(((await oll.json()) as { error: string }).error).toContain('model_not_allowed');
    expect(upstream.requests).toHaveLength(1);
  });

  it('rejects a missing key with 401 in each envelope', async () => {
    const ant = await fetch(`${base}/v1/messages`, { method: 'POST', body: JSON.stringify({ model: 'capped', max_tokens: 5, messages: [] }) });
    expect(ant.status).toBe(401);
    expect(await ant.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    const gem = await fetch(`${base}/v1beta/models`);
    expect(gem.status).toBe(401);
    expect(await gem.json()).toMatchObject({ error: { status: 'UNAUTHENTICATED' } });
    const tags = await fetch(`${base}/api/tags`, { headers: { authorization: `Bearer ${key}` } });
    expect(((await tags.json()) as { models: { name: string }[] }).models.map((m) => m.name)).toEqual(['capped']);
  });
});
