import type { AdmissionPlan, ScopeStats } from './reservation';

/** OpenAI's reset format: `17ms`, `1.5s`, `6m0s`. */
export function formatReset(ms: number): string {
  const v = Math.max(0, Math.ceil(ms));
  if (v < 1000) return `${v}ms`;
  const minutes = Math.floor(v / 60000);
  const seconds = Number(((v - minutes * 60000) / 1000).toFixed(3));
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}

/**
 * `x-ratelimit-*` headers from the scope with the least remaining, per dimension (OpenAI reports one limit; the
 * tightest is the one a client must respect). A dimension no scope limits is left out.
 */
export function rateLimitHeaders(plan: AdmissionPlan, stats: readonly ScopeStats[]): Record<string, string> {
  const headers: Record<string, string> = {};
  const dims = [
    { name: 'requests', limit: (i: number) => plan.scopes[i].rpm, used: (s: ScopeStats) => s.requests },
    { name: 'tokens', limit: (i: number) => plan.scopes[i].tpm, used: (s: ScopeStats) => s.tokens },
  ];
  for (const dim of dims) {
    let best: { limit: number; remaining: number; resetMs: number } | null = null;
    for (let i = 0; i < plan.scopes.length; i++) {
      const limit = dim.limit(i);
      const s = stats[i];
      if (limit === null || s === undefined) continue;
      const remaining = Math.max(0, limit - dim.used(s));
      if (best === null || remaining < best.remaining) best = { limit, remaining, resetMs: s.resetMs };
    }
    if (best !== null) {
      headers[`x-ratelimit-limit-${dim.name}`] = String(best.limit);
      headers[`x-ratelimit-remaining-${dim.name}`] = String(best.remaining);
      headers[`x-ratelimit-reset-${dim.name}`] = formatReset(best.resetMs);
    }
  }
  return headers;
}
