/**
 * Tuning of the limiter; the defaults are the product's promises, tests shrink the window. `commandTimeoutMs` and
 * `parallelLeaseMs` come from the config (`limits.redisTimeoutMs`, `limits.parallelLeaseMs`) unless overridden.
 */
export interface LimitsOptions {
  /** Rolling window of rpm and tpm. */
  windowMs: number;
  /**
   * Lease of a parallel slot in Redis. The replica renews the slots of its requests in flight every third of it (one
   * script call per hash tag, not one per request), so a slot lives as long as its request and frees at most this
   * long after its replica stopped renewing (crashed, or cut off from Redis).
   */
  parallelLeaseMs: number;
  /**
   * A request still in flight after this long stops holding its slot (renewal stops, the local slot expires): a
   * safety net against a request that never settles, far beyond any real stream.
   */
  slotSafetyMs: number;
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
  /** Longest an admission waits on Redis before falling back (and the connection counts as stalled). */
  commandTimeoutMs: number;
  /** Settlements kept in memory while Redis is down, replayed when it returns. */
  maxPendingSettles: number;
}

export const DEFAULT_LIMITS_OPTIONS: LimitsOptions = {
  windowMs: 60_000,
  parallelLeaseMs: 30_000,
  slotSafetyMs: 24 * 60 * 60_000,
  settledTtlMs: 10 * 60_000,
  budgetTtlMs: 35 * 24 * 60 * 60_000,
  commandTimeoutMs: 250,
  maxPendingSettles: 10_000,
};

/** Optional provider overriding parts of DEFAULT_LIMITS_OPTIONS. */
export const LIMITS_OPTIONS = Symbol('LIMITS_OPTIONS');
