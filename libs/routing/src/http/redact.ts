import type { ProviderConfig } from '@llmp/common';

const MAX_REASON_CHARS = 200;

/** Upstream error text may echo our own credential or a token; strip both and bound the length. */
export function redact(text: string, provider: ProviderConfig): string {
  // Redact before truncating, so a credential cut in half by the length limit cannot survive.
  let out = text;
  if (provider.apiKey && provider.apiKey.length >= 4) out = out.split(provider.apiKey).join('[redacted]');
  out = out
    .replace(/\b(sk|pk|rk|llmp)[-_][A-Za-z0-9_-]{6,}/g, '[redacted]')
    .replace(/(bearer\s+)\S+/gi, '$1[redacted]')
    .replace(/\s+/g, ' ');
  return out.length > MAX_REASON_CHARS ? `${out.slice(0, MAX_REASON_CHARS)}…` : out;
}
