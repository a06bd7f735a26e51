import type { FastifyRequest } from 'fastify';

/** Headers a client may carry its llmp key in, besides `Authorization: Bearer` and Gemini's `?key=`. */
const KEY_HEADERS = ['x-api-key', 'api-key', 'x-goog-api-key'] as const;

/**
 * Every credential candidate the client sent, as raw strings. Deciding which is valid (and rejecting two different
 * keys) is the authenticate stage's job; ingress only collects.
 */
export function extractCredentials(req: FastifyRequest): string[] {
  const found: string[] = [];
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.length) {
    const m = /^\s*bearer\s+(.*)$/i.exec(auth);
    // A non-Bearer Authorization still counts as a (bad) credential so it cannot be ignored into anonymity.
    found.push(m ? m[1].trim() : auth);
  }
  for (const name of KEY_HEADERS) {
    const v = req.headers[name];
    if (typeof v === 'string' && v.length) found.push(v.trim());
    else if (Array.isArray(v)) found.push(...v);
  }
  const query = req.query as Record<string, unknown> | undefined;
  if (query && typeof query.key === 'string' && query.key.length) found.push(query.key);
  return found;
}
