import type { FastifyInstance } from 'fastify';

/** Paths a remote scraper or orchestrator may reach even when management is loopback-only. Exact matches only. */
const OPEN_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

/** True for 127.0.0.0/8 and ::1, including IPv4-mapped IPv6 (`::ffff:127.0.0.1`). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/**
 * Answers management requests (`/admin/v1/*`, `/docs*`, the console) only from loopback unless `allowRemote()`.
 * Uses the TCP peer address, never `X-Forwarded-For` or `Host`, which any client can forge; a proxy in front of the
 * control plane therefore needs `admin.allowRemote: true` (see docs/operations.md). Runs before routing, so no path
 * variant reaches a handler.
 */
export function installLoopbackOnly(fastify: FastifyInstance, allowRemote: () => boolean): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (allowRemote() || isLoopbackAddress(request.socket.remoteAddress)) return done();
    const q = request.url.indexOf('?');
    const path = q === -1 ? request.url : request.url.slice(0, q);
    if (request.method === 'GET' && OPEN_PATHS.has(path)) return done();
    void reply
      .code(403)
      .header('content-type', 'application/json; charset=utf-8')
      .send({
        error: {
          code: 'permission_denied',
          message: 'The control plane answers management requests from loopback only (set admin.allowRemote: true to open it).',
        },
      });
  });
}
