import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { DisconnectSignal } from './call-signal';

describe('DisconnectSignal', () => {
  it('fires each listener once, with an AbortError reason; removed listeners and later aborts do nothing', () => {
    const s = new DisconnectSignal();
    const calls: string[] = [];
    const a = () => calls.push('a');
    const b = () => calls.push('b');
    s.addEventListener('abort', a);
    s.addEventListener('abort', b);
    s.removeEventListener('abort', a);
    expect(s.aborted).toBe(false);
    s.abort();
    s.abort();
    expect(calls).toEqual(['b']);
    expect(s.aborted).toBe(true);
    expect((s.reason as Error).name).toBe('AbortError');
  });

  describe('as the signal of a real undici request', () => {
    let server: Server;
    let pool: Pool;
    const closed: boolean[] = [];

    beforeAll(async () => {
      // Answers headers, then never finishes the body; records when the proxy side hangs up.
      server = createServer((req, res) => {
        req.on('close', () => closed.push(true));
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
    afterAll(async () => {
      await pool.close();
      server.closeAllConnections();
      server.close();
    });

    it('aborts the request mid-body and closes the upstream connection', async () => {
      const signal = new DisconnectSignal();
      const res = await pool.request({ method: 'GET', path: '/', signal: signal as unknown as AbortSignal });
      const reading = (async () => {
        for await (const _ of res.body) signal.abort();
      })();
      await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
      for (let i = 0; i < 50 && closed.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(closed).toEqual([true]);
    });

    it('a signal already aborted fails the request before it is sent', async () => {
      const signal = new DisconnectSignal();
      signal.abort();
      await expect(pool.request({ method: 'GET', path: '/', signal: signal as unknown as AbortSignal })).rejects.toMatchObject({ name: 'AbortError' });
    });
  });
});
