import type { FastifyInstance, FastifyRequest } from 'fastify';
import { forwardedHops, normalizeAddress } from '@llmp/infra';

/** Paths a remote scraper or orchestrator may reach even when management is loopback-only. Exact matches only. */
const OPEN_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

/** True for 127.0.0.0/8 and ::1, including IPv4-mapped IPv6 (`::ffff:127.0.0.1`). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = normalizeAddress(address);
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/**
 * A request from this host: the TCP peer is loopback, the client address (`req.clientIp`, which follows
 * X-Forwarded-For only from `server.trustedProxies`) is loopback, and so is every X-Forwarded-For hop. Nothing a
 * remote client sends can pass: it cannot change the TCP peer, and a proxy appends the client's real address. The hop
 * rule also refuses a proxy on this host that is not listed as trusted but forwards remote clients, which would
 * otherwise make every client loopback. A proxy on another host never passes, even when it is trusted and forwards
 * for its own loopback: that is not this host (such a deployment sets `admin.allowRemote: true`).
 */
export function isLoopbackRequest(req: FastifyRequest): boolean {
  return isLoopbackAddress(req.socket.remoteAddress) && isLoopbackAddress(req.clientIp) && forwardedHops(req).every(isLoopbackAddress);
}

/**
 * Answers management requests (`/admin/v1/*`, `/docs*`, the console) only from loopback (isLoopbackRequest) unless
 * `allowRemote()`. `Host` is never consulted. Runs before routing, so no path variant reaches a handler.
 */
export function installLoopbackOnly(fastify: FastifyInstance, allowRemote: () => boolean): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (allowRemote() || isLoopbackRequest(request)) return done();
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
