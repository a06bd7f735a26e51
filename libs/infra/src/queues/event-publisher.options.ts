/** Tuning of the EventPublisher; every field has a default. */
export interface EventPublisherOptions {
  /**
   * Longest time an event waits in memory before a flush is attempted; defaults to LLMP_EVENT_FLUSH_MS (100 ms). Each
   * flush is a BullMQ job the worker takes, runs and completes in Redis round trips of its own, so the whole stack's
   * CPU falls with fewer, larger jobs: 100 ms instead of 25 cut it by 8% per request at 50 ms / 200 connections
   * (worker 46 -> 35 µs; bench/ab.mjs), 250 ms saved about 3% more. 25 ms had replaced 10 for the same reason.
   */
  flushIntervalMs: number;
  /** Events per `addBulk` / outbox insert; reaching it triggers an immediate flush. */
  batchSize: number;
  /**
   * Events carried by one BullMQ job. One job per event cost the data plane tens of microseconds of CPU per request
   * (BullMQ's add script, msgpack, a large Redis command each); one job per batch makes it a fraction of that.
   */
  eventsPerJob: number;
  /** How long a Redis `addBulk` may take before the batch goes to the outbox instead. */
  redisTimeoutMs: number;
  /** How long an outbox insert may take before the batch stays in memory for a retry. */
  outboxTimeoutMs: number;
  /** Upper bound of events held in memory while both Redis and Postgres refuse them. */
  maxBufferedEvents: number;
  /** Retry delay after both sinks failed; doubles up to `maxRetryDelayMs`. */
  retryDelayMs: number;
  maxRetryDelayMs: number;
  /** BullMQ attempts of a job before the worker quarantines it. */
  jobAttempts: number;
  /** Overrides REDIS_URL for the queue connection (tests point it at a closed port). */
  redisUrl?: string;
}

export const EVENT_PUBLISHER_OPTIONS = Symbol('EVENT_PUBLISHER_OPTIONS');

export const DEFAULT_EVENT_PUBLISHER_OPTIONS: Omit<EventPublisherOptions, 'flushIntervalMs'> = {
  batchSize: 500,
  eventsPerJob: 500,
  redisTimeoutMs: 1500,
  outboxTimeoutMs: 5000,
  maxBufferedEvents: 200_000,
  retryDelayMs: 250,
  maxRetryDelayMs: 10_000,
  jobAttempts: 12,
};
