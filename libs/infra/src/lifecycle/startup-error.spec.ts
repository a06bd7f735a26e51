import { createServer, type Server } from 'node:net';
import { startupErrorMessage } from './startup-error';

const listen = (server: Server, port: number): Promise<void> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });

describe('startupErrorMessage', () => {
  it('names the port and the variable that moves it when the port is taken (a real EADDRINUSE)', async () => {
    const first = createServer();
    await listen(first, 0);
    const port = (first.address() as { port: number }).port;
    const error = await listen(createServer(), port).then(
      () => null,
      (e: unknown) => e,
    );
    first.close();
    expect(startupErrorMessage(error, 'LLMP_API_PORT')).toBe(
      `port ${port} is already in use (is llmp already running?): stop that process or choose another port with LLMP_API_PORT`,
    );
  });

  it('passes any other failure through as its message', () => {
    expect(startupErrorMessage(new Error('cannot reach Redis at 127.0.0.1:6379'), 'LLMP_API_PORT')).toBe('cannot reach Redis at 127.0.0.1:6379');
    expect(startupErrorMessage('plain', 'LLMP_ADMIN_PORT')).toBe('plain');
  });
});
