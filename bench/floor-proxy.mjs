// The floor: the least a Node proxy can do (node:http in, undici pool out, bytes piped). llmp is measured against it.
// Usage: node bench/floor-proxy.mjs <port> <upstreamOrigin0> <upstreamOrigin50>; path prefix /u0 or /u50 picks one.
import { createServer } from 'node:http';
import { Pool } from 'undici';

const [port = '0', origin0, origin50] = process.argv.slice(2);
const pools = { u0: new Pool(origin0, { connections: 256, pipelining: 1 }), u50: new Pool(origin50, { connections: 256, pipelining: 1 }) };

const server = createServer(async (req, res) => {
  const [, which, ...rest] = req.url.split('/');
  const pool = pools[which];
  try {
    const upstream = await pool.request({
      path: '/' + rest.join('/'),
      method: req.method,
      headers: { 'content-type': 'application/json' },
      body: req,
    });
    res.writeHead(upstream.statusCode, { 'content-type': upstream.headers['content-type'] });
    for await (const c of upstream.body) res.write(c);
    res.end();
  } catch (e) {
    res.writeHead(502);
    res.end(String(e));
  }
});
server.keepAliveTimeout = 65_000;
server.listen(Number(port), '127.0.0.1', () => process.send?.({ port: server.address().port }));
