import type { FastifyInstance, FastifyRequest } from 'fastify';
import { normalizeAddress } from '@llmp/infra';

/** Paths a remote scraper or orchestrator may reach even when management is loopback-only. Exact matches only. */
const OPEN_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

/** True for 127.0.0.0/8 and ::1, including IPv4-mapped IPv6 (`::ffff:127.0.0.1`). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = normalizeAddress(address);
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/**
 * A request from this host: the TCP peer is loopback and so is the client address (`req.clientIp`, which follows
 * X-Forwarded-For only from `server.trustedProxies`). A remote client cannot pass: it cannot change the TCP peer,
 * its X-Forwarded-For is ignored unless the peer is a trusted proxy, and a trusted proxy appends the client's real
 * address, which the walk stops at. A proxy on this host that is not listed as trusted is itself the client (the
 * authenticating-sidecar deployment); listed, its remote clients count as remote and need `admin.allowRemote`. A
 * proxy on another host never passes, even trusted and forwarding for its own loopback: that is not this host.
 */
export function isLoopbackRequest(req: FastifyRequest): boolean {
  return isLoopbackAddress(req.socket.remoteAddress) && isLoopbackAddress(req.clientIp);
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
