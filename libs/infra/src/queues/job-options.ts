import type { JobsOptions } from 'bullmq';

/** Options of every usage/audit job: completed jobs vanish (the ledger's unique keys dedupe replays), retries back off. */
export function eventJobOptions(attempts: number): JobsOptions {
  return {
    removeOnComplete: true,
    removeOnFail: { age: 7 * 24 * 3600 },
    attempts,
    backoff: { type: 'exponential', delay: 1000 },
  };
}
