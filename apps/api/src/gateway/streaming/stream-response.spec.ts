import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { StreamResponse } from './stream-response';

/** A server whose handler gets each response; returns its port. */
async function serve(handler: (res: ServerResponse) => void): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => handler(res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Raw bytes of one GET, chunk by chunk as the socket delivered them, up to the end of the chunked body. */
function rawGet(port: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const chunks: string[] = [];
    const s = connect(port, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n'));
    s.on('data', (d) => {
      chunks.push(d.toString());
      if (chunks.join('').endsWith('0\r\n\r\n')) {
        s.destroy();
        resolve(chunks);
      }
    });
    s.on('error', reject);
  });
}

describe('StreamResponse', () => {
  let server: Server | null = null;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
  });

  /** Serves one streamed response written by `frames`, and returns the raw reads of a GET of it. */
  async function streamed(frames: (out: StreamResponse, res: ServerResponse) => void): Promise<string[]> {
    const s = await serve((res) => frames(new StreamResponse(res, { 'content-type': 'text/event-stream' }), res));
    server = s.server;
    return rawGet(s.port);
  }

  it('sends the headers with the first frame when it is written in the same turn', async () => {
    const chunks = await streamed((out, res) => {
      out.write('data: 1\n\n');
      setTimeout(() => {
        out.write('data: 2\n\n');
        res.end();
      }, 50);
    });
    expect(chunks[0]).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(chunks[0]).toContain('cache-control: no-cache');
    // Headers and the first frame arrived in the same read: they left in one write.
    expect(chunks[0]).toContain('data: 1');
  });

  it('sends the headers at once when the first frame is slow, before that frame', async () => {
    const chunks = await streamed((out, res) => {
      setTimeout(() => {
        out.write('data: late\n\n');
        res.end();
      }, 300);
    });
    // The headers came in a read of their own, before the frame that was written 300 ms later.
    expect(chunks[0]).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(chunks[0]).not.toContain('data: late');
    expect(chunks.join('')).toContain('data: late');
  });
});
