import type { FastifyInstance } from 'fastify';

/**
 * The control plane's one Content-Security-Policy, for the console, the Swagger UI at /docs and the API alike:
 * scripts only from this origin (neither build has an inline script), styles from this origin plus inline ones
 * (Mantine writes its CSS variables into a `<style>` element and style attributes; Swagger UI's page has a `<style>`
 * block), images from this origin and `data:` (icons inlined by both), requests only to this origin, no plugins, no
 * `<base>`, no framing.
 */
export const ADMIN_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Sent on every control plane response, including the ones refused before any hook runs (see bootstrap). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': ADMIN_CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Puts the security headers on every response the control plane sends (pages, assets, API answers, errors). */
export function installSecurityHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) void reply.header(name, value);
    done(null, payload);
  });
}
