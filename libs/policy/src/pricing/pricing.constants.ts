/** Redis pub/sub channel (after LLMP_REDIS_PREFIX) on which the control plane announces a price change. */
export const PRICING_INVALIDATION_CHANNEL = 'pricing:invalidate';

/** Injection token of PriceBook tuning (optional). */
export const PRICE_BOOK_OPTIONS = Symbol('PRICE_BOOK_OPTIONS');

export interface PriceBookOptions {
  /** Periodic reload of the overrides, in case an invalidation message was missed. */
  refreshIntervalMs: number;
}
