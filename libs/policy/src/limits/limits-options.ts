/** Tuning of the limiter; the defaults are the product's promises, tests shrink the window. */
export interface LimitsOptions {
  /** Rolling window of rpm and tpm. */
  windowMs: number;
  /** Safety expiry of a parallel slot whose request never settled (a crashed replica). */
  parallelTtlMs: number;
  /** How long a settled marker keeps a second settle from counting twice. */
  settledTtlMs: number;
  /** Idle expiry of a budget counter; it is rebuilt from the ledger when next needed. */
  budgetTtlMs: number;
  /** Longest an admission waits on Redis before falling back. */
  commandTimeoutMs: number;
  /** Settlements kept in memory while Redis is down, replayed when it returns. */
  maxPendingSettles: number;
}

export const DEFAULT_LIMITS_OPTIONS: LimitsOptions = {
  windowMs: 60_000,
  parallelTtlMs: 15 * 60_000,
  settledTtlMs: 60 * 60_000,
  budgetTtlMs: 35 * 24 * 60 * 60_000,
  commandTimeoutMs: 250,
  maxPendingSettles: 10_000,
};

/** Optional provider overriding parts of DEFAULT_LIMITS_OPTIONS. */
export const LIMITS_OPTIONS = Symbol('LIMITS_OPTIONS');
