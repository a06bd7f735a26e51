import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startDataPlane, useConfig } from '../support/gateway-harness';

// any: each surface answers with its own JSON shape, checked field by field below.
type Envelope = any;

/** Failures before any controller runs (bad JSON, oversize bodies) still answer in the caller's own envelope. */
describe('ingress failures in each surface envelope', () => {
  let app: NestFastifyApplication;
  let base: string;

  beforeAll(async () => {
    useConfig(`
providers: [{ name: mock, type: mock }]
models: [{ name: m, targets: [{ provider: mock, model: mock-small }] }]
auth: { mode: disabled }
server: { bodyLimitBytes: 4096 }
`);
    ({ app, url: base } = await startDataPlane());
  });
  afterAll(async () => {
    await app?.close();
  });

  const post = (path: string, body: string) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it.each([
    ['/v1/chat/completions', (b: Envelope) => b.error.code === 'invalid_request_error' && typeof b.error.message === 'string'],
    ['/v1/messages', (b: Envelope) => b.type === 'error' && b.error.type === 'invalid_request_error'],
    ['/v1beta/models/m:generateContent', (b: Envelope) => b.error.code === 400 && b.error.status === 'INVALID_ARGUMENT'],
    ['/api/chat', (b: Envelope) => typeof b.error === 'string'],
  ])('malformed JSON on %s', async (path, shape) => {
    const res = await post(path, '{"model": "m", ');
    expect(res.status).toBe(400);
    expect(shape(await res.json())).toBe(true);
  });

  it.each([
    ['/v1/messages', (b: Envelope) => b.type === 'error'],
    ['/api/generate', (b: Envelope) => typeof b.error === 'string'],
  ])('oversize body on %s', async (path, shape) => {
    const res = await post(path, JSON.stringify({ model: 'm', prompt: 'x'.repeat(10_000) }));
    expect(res.status).toBe(413);
    expect(shape(await res.json())).toBe(true);
  });

  it.each([
    ['/v1beta/models/%E0%A4%A:generateContent', (b: Envelope) => b.error.code === 400 && b.error.status === 'INVALID_ARGUMENT'],
    ['/v1beta/models/m%ZZ:streamGenerateContent?alt=sse', (b: Envelope) => b.error.code === 400 && b.error.status === 'INVALID_ARGUMENT'],
    ['/v1/chat/completions%E0', (b: Envelope) => b.error.code === 'invalid_request_error'],
    ['/api/chat%', (b: Envelope) => typeof b.error === 'string'],
  ])('a URL whose percent-encoding does not decode on %s', async (path, shape) => {
    // The router refuses it before any hook or filter runs; it still answers in the caller's envelope.
    const res = await post(path, JSON.stringify({ model: 'm', contents: [] }));
    expect(res.status).toBe(400);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const body = await res.json();
    expect(JSON.stringify(body)).not.toContain('FST_ERR');
    expect(shape(body)).toBe(true);
  });
});
