/** Tuning of the worker mode; every field has a default (see DEFAULT_WORKERS_OPTIONS). */
export interface WorkersOptions {
  /** Rows per ledger / audit transaction. */
  batchSize: number;
  /** Longest wait for a batch to fill. */
  batchWaitMs: number;
  /** Jobs a worker holds at once (at least two batches, so one fills while the other commits). */
  concurrency: number;
  /** BullMQ lock; a worker that dies loses its jobs to another after this long. */
  lockDurationMs: number;
  stalledIntervalMs: number;
  relayIntervalMs: number;
  relayBatchSize: number;
  /** Relay attempts of one outbox row before it is quarantined. */
  relayMaxAttempts: number;
  /** Audit retention in days; undefined keeps the log forever (LLMP_AUDIT_RETENTION_DAYS). */
  auditRetentionDays?: number;
  /** How often the retention pruner runs. */
  auditPruneIntervalMs: number;
  /** Which consumers to start (all by default). */
  run: { usage: boolean; audit: boolean; relay: boolean; prune: boolean };
}

export const WORKERS_OPTIONS = Symbol('WORKERS_OPTIONS');

export const DEFAULT_WORKERS_OPTIONS: WorkersOptions = {
  batchSize: 500,
  batchWaitMs: 20,
  concurrency: 1000,
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
  relayIntervalMs: 500,
  relayBatchSize: 500,
  relayMaxAttempts: 10,
  auditPruneIntervalMs: 3600_000,
  run: { usage: true, audit: true, relay: true, prune: true },
};
