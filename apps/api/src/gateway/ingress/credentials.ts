import type { FastifyRequest } from 'fastify';

/** Headers a client may carry its llmp key in, besides `Authorization: Bearer` and Gemini's `?key=`. */
const KEY_HEADERS = new Set(['x-api-key', 'api-key', 'x-goog-api-key']);

/** The credential a header line carries: the token of `Bearer <token>`, any other Authorization value as it is. */
function credentialOf(name: string, value: string): string | null {
  if (name === 'authorization') {
    const m = /^\s*bearer\s+(.*)$/i.exec(value);
    // A non-Bearer Authorization still counts as a (bad) credential so it cannot be ignored into anonymity.
    return m ? m[1].trim() : value;
  }
  return KEY_HEADERS.has(name) ? value.trim() : null;
}

/**
 * Every credential candidate the client sent, as raw strings: each header line on its own (read from the raw
 * header list, because Node keeps only the first of two `Authorization` lines and joins other repeats with ", "),
 * and every `?key=`. Deciding which is valid (and refusing two different keys with a 401) is the authenticate
 * stage's job; ingress only collects. The same key sent twice is one key.
 */
export function extractCredentials(req: FastifyRequest): string[] {
  const found: string[] = [];
  const raw = req.raw.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    // Only names of a credential header's length are lower-cased: this runs on every request.
    const len = name.length;
    if (len !== 13 && len !== 9 && len !== 7 && len !== 14) continue;
    const value = raw[i + 1];
    if (!value) continue;
    const credential = credentialOf(name.toLowerCase(), value);
    if (credential !== null) found.push(credential);
  }
  const key = (req.query as Record<string, unknown> | undefined)?.key;
  if (typeof key === 'string') {
    if (key.length) found.push(key);
  } else if (Array.isArray(key)) {
    for (const k of key) if (typeof k === 'string' && k.length) found.push(k);
  }
  return found;
}
