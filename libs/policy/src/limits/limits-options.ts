/** Tuning of the limiter; the defaults are the product's promises, tests shrink the window. */
export interface LimitsOptions {
  /** Rolling window of rpm and tpm. */
  windowMs: number;
  /** Safety expiry of a parallel slot whose request never settled (a crashed replica). */
  parallelTtlMs: number;
  /**
   * How long a settled marker keeps a second settle from counting twice. There is one marker per limited request
   * (about 140 bytes of Redis each), so this bounds Redis memory at rate x TTL: 1,000 req/s for an hour would hold
   * 3.6 M markers (about 490 MB); ten minutes hold 600 k (about 80 MB). A second settle only comes from replaying one
   * whose reply was lost when Redis went away; one replayed after its marker expired can count that request's cost
   * twice against a budget (never less), and its tokens not at all (they have left the window by then).
   */
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
  settledTtlMs: 10 * 60_000,
  budgetTtlMs: 35 * 24 * 60 * 60_000,
  commandTimeoutMs: 250,
  maxPendingSettles: 10_000,
};

/** Optional provider overriding parts of DEFAULT_LIMITS_OPTIONS. */
export const LIMITS_OPTIONS = Symbol('LIMITS_OPTIONS');
