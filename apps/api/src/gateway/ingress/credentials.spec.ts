import Fastify from 'fastify';
import { extractCredentials } from './credentials';

/** What extractCredentials finds in a request Fastify really parsed from these raw header lines and URL. */
async function found(headerLines: [string, string][], url = '/v1/models'): Promise<string[]> {
  const app = Fastify();
  let seen: string[] = [];
  app.get('/v1/models', async (req) => {
    seen = extractCredentials(req);
    return {};
  });
  const head = headerLines.map(([k, v]) => `${k}: ${v}\r\n`).join('');
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const { port } = app.server.address() as { port: number };
    const net = await import('node:net');
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => s.write(`GET ${url} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n${head}\r\n`));
      s.on('data', () => undefined);
      s.on('close', () => resolve());
      s.on('error', reject);
    });
  } finally {
    await app.close();
  }
  return seen;
}

describe('extractCredentials', () => {
  it('finds a Bearer token, the key headers and ?key=', async () => {
    expect(await found([['Authorization', 'Bearer llmp_a']])).toEqual(['llmp_a']);
    expect(await found([['X-Api-Key', 'llmp_a'], ['api-key', 'llmp_b'], ['x-goog-api-key', 'llmp_c']])).toEqual(['llmp_a', 'llmp_b', 'llmp_c']);
    expect(await found([], '/v1/models?key=llmp_q')).toEqual(['llmp_q']);
  });

  it('keeps every line of a repeated header (Node keeps only the first Authorization and joins the others)', async () => {
    expect(await found([['authorization', 'Bearer llmp_a'], ['Authorization', 'Bearer llmp_b']])).toEqual(['llmp_a', 'llmp_b']);
    expect(await found([['x-api-key', 'llmp_a'], ['x-api-key', 'llmp_b']])).toEqual(['llmp_a', 'llmp_b']);
  });

  it('keeps every ?key= and combines them with headers', async () => {
    expect(await found([], '/v1/models?key=llmp_a&key=llmp_b')).toEqual(['llmp_a', 'llmp_b']);
    expect(await found([['authorization', 'Bearer llmp_a']], '/v1/models?key=llmp_b')).toEqual(['llmp_a', 'llmp_b']);
  });

  it('counts a non-Bearer Authorization as a credential and ignores unrelated headers', async () => {
    expect(await found([['authorization', 'Basic dXNlcjpwYXNz'], ['x-api-keys', 'nope'], ['api-key2', 'nope']])).toEqual(['Basic dXNlcjpwYXNz']);
  });
});
