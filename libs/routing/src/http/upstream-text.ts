import { scrubSecrets } from '@llmp/common';

const MAX_REASON_CHARS = 200;

/**
 * Upstream text (an error message, a failover reason) as it may be shown to a client: every configured provider
 * secret and every secret-shaped string removed, whitespace collapsed, length bounded.
 */
export function upstreamReason(text: string): string {
  // Scrub before truncating, so a credential cut in half by the length limit cannot survive.
  const out = scrubSecrets(text).replace(/\s+/g, ' ');
  return out.length > MAX_REASON_CHARS ? `${out.slice(0, MAX_REASON_CHARS)}…` : out;
}
