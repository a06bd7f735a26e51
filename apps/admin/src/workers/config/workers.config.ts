import type { WorkersOptions } from '../workers.options';

function positiveInt(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

/**
 * Worker settings from the environment, read once by the worker entry:
 * LLMP_AUDIT_RETENTION_DAYS (unset = keep forever), LLMP_WORKER_BATCH_SIZE, LLMP_WORKER_CONCURRENCY, and
 * LLMP_WORKER_LOCK_MS / LLMP_WORKER_STALLED_INTERVAL_MS (how soon a dead worker's jobs go to another worker).
 */
export function loadWorkersOptions(env: NodeJS.ProcessEnv = process.env): Partial<WorkersOptions> {
  const opts: Partial<WorkersOptions> = {};
  const retention = positiveInt('LLMP_AUDIT_RETENTION_DAYS', env.LLMP_AUDIT_RETENTION_DAYS);
  const batch = positiveInt('LLMP_WORKER_BATCH_SIZE', env.LLMP_WORKER_BATCH_SIZE);
  const concurrency = positiveInt('LLMP_WORKER_CONCURRENCY', env.LLMP_WORKER_CONCURRENCY);
  const lock = positiveInt('LLMP_WORKER_LOCK_MS', env.LLMP_WORKER_LOCK_MS);
  const stalled = positiveInt('LLMP_WORKER_STALLED_INTERVAL_MS', env.LLMP_WORKER_STALLED_INTERVAL_MS);
  if (retention) opts.auditRetentionDays = retention;
  if (batch) opts.batchSize = batch;
  if (concurrency) opts.concurrency = concurrency;
  if (lock) opts.lockDurationMs = lock;
  if (stalled) opts.stalledIntervalMs = stalled;
  return opts;
}
