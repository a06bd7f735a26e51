import { connect } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startDataPlane, useConfig } from '../support/gateway-harness';

/** A client that trickles its body is cut off close to LLMP_REQUEST_TIMEOUT_MS, not after Node's 30 s sweep. */
describe('slow-body clients', () => {
  let app: NestFastifyApplication;
  let port: number;
  const saved = process.env.LLMP_REQUEST_TIMEOUT_MS;

  beforeAll(async () => {
    process.env.LLMP_REQUEST_TIMEOUT_MS = '1000';
    useConfig('providers: [{ name: mock, type: mock }]\nmodels: [{ name: m, targets: [{ provider: mock, model: x }] }]\nauth: { mode: disabled }\n');
    let url: string;
    ({ app, url } = await startDataPlane());
    port = Number(new URL(url).port);
  });
  afterAll(async () => {
    process.env.LLMP_REQUEST_TIMEOUT_MS = saved;
    await app?.close();
  });

  it('answers 408 and closes the socket within a few seconds', async () => {
    const started = Date.now();
    const reply = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
      socket.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"model"');
      const trickle = setInterval(() => (socket.writable ? socket.write(' ') : clearInterval(trickle)), 200);
      socket.on('close', () => clearInterval(trickle));
    });
    const took = Date.now() - started;
    expect(took).toBeLessThan(4000);
    // The socket is destroyed while the client is still writing, so the answer can be lost to the reset; when it
    // arrives it is a 408 in OpenAI's envelope.
    expect(reply === '' || /^HTTP\/1\.1 408/.test(reply)).toBe(true);
    if (reply) expect(JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4)).error).toMatchObject({ code: 'request_timeout', type: 'invalid_request_error' });
  });
});
