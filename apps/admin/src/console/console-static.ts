import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { ErrorCode } from '@llmp/common';

/** Paths the console must never answer, so an unknown API URL is a JSON 404 rather than the SPA's HTML. */
const API_PREFIXES = ['/admin/', '/docs', '/health', '/metrics', '/v1/'];

/** Where the built console lives: beside the sources (ts-node/Jest) or relative to the compiled dist entry. */
export function findConsoleDist(): string | null {
  const candidates = [join(__dirname, '../ui/dist'), join(__dirname, '../../../../../apps/admin/src/ui/dist')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

/**
 * Serves the console at `/` with a history-API fallback to index.html. Registered as a wildcard GET, so every route
 * Nest declares (API, /docs) is more specific and keeps precedence. Without a built console nothing is registered.
 */
export function registerConsole(fastify: FastifyInstance, dist: string | null = findConsoleDist()): boolean {
  if (!dist) return false;
  void fastify.register(async (scope) => {
    await scope.register(fastifyStatic, { root: dist, serve: false });
    scope.get('/*', async (request, reply) => {
      const path = request.url.split('?')[0] ?? '/';
      if (API_PREFIXES.some((p) => path.startsWith(p))) {
        return reply.code(404).send({ error: { code: ErrorCode.NotFound, message: `Cannot GET ${path}` } });
      }
      // Hashed assets are immutable; index.html must be revalidated so a new build is picked up at once.
      if (path.startsWith('/assets/')) return reply.header('cache-control', 'public, max-age=31536000, immutable').sendFile(path.slice(1));
      if (path !== '/' && existsSync(join(dist, path)) && !path.includes('..')) return reply.sendFile(path.slice(1));
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    });
  });
  return true;
}
