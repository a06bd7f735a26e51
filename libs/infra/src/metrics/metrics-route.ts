import type { FastifyInstance } from 'fastify';
import type { MetricsService } from './metrics.service';

/**
 * `GET /metrics` as a plain Fastify route: outside Nest's guards and filters (scrapers carry no credentials) and
 * with no per-request pipeline cost. Call before the app initialises.
 */
export function registerMetricsRoute(fastify: FastifyInstance, metrics: MetricsService): void {
  fastify.get('/metrics', async (_req, reply) => {
    const body = await metrics.render();
    return reply.header('content-type', metrics.contentType).header('cache-control', 'no-store').send(body);
  });
}
