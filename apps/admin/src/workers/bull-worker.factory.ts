import { Logger } from '@nestjs/common';
import { type Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { type EventBatchJob, JOBS } from '@llmp/common';
import { bullConnection, bullPrefix, type EnvConfig, safeJobId, TimeoutError, withTimeout } from '@llmp/infra';
import { MicroBatcher } from './micro-batcher';
import type { BatchItem, WriteOutcome } from './isolate-failures';
import type { QuarantineRepository } from './quarantine.repository';
import type { WorkersOptions } from './workers.options';

/**
 * How long a graceful close may wait for active jobs and BullMQ's own connections. BullMQ's close has no bound of its
 * own (an un-timed wait on a blocked connection can hang it), and a shutdown that never ends loses more than one
 * that abandons a job: a job completes only after its row is committed, so an abandoned one is simply redelivered.
 */
const CLOSE_TIMEOUT_MS = 10_000;

export interface BatchedWorker {
  worker: Worker;
  /** Graceful (waits for active jobs) unless `force`, which abandons them to the stalled-job checker. */
  close(force: boolean): Promise<void>;
}

/**
 * A BullMQ worker whose jobs are funnelled into batched writes. A job completes only once its row is committed; a
 * job that exhausted its attempts is quarantined with its last error, so nothing disappears from the failed set
 * unnoticed.
 */
export function createBatchedWorker(
  queue: string,
  kind: string,
  env: EnvConfig,
  opts: WorkersOptions,
  write: (items: readonly BatchItem[]) => Promise<WriteOutcome[]>,
  quarantine: QuarantineRepository,
  logger: Logger,
): BatchedWorker {
  const batcher = new MicroBatcher<BatchItem, WriteOutcome>((items) => write(items), opts.batchSize, opts.batchWaitMs);
  const connection = new Redis(bullConnection(env.redisUrl));
  connection.on('error', () => undefined);
  const worker = new Worker(queue, (job: Job) => processJob(batcher, job), {
    connection,
    prefix: bullPrefix(env.redisPrefix),
    concurrency: opts.concurrency,
    lockDuration: opts.lockDurationMs,
    stalledInterval: opts.stalledIntervalMs,
    maxStalledCount: 1000,
    autorun: false,
  });
  worker.on('error', (e) => logger.warn(`${kind} worker: ${e.message}`));
  const quarantineEach = (job: Job, reason: string): Promise<unknown> => {
    const items = jobItems(job);
    return Promise.all(items.map((item) => quarantine.add(kind, item.jobId, item.payload, reason)));
  };
  worker.on('failed', (job, e) => {
    if (!job) return;
    const attempts = job.opts.attempts ?? 1;
    if (job.attemptsMade < attempts) {
      logger.warn(`${kind} job ${job.id} failed (attempt ${job.attemptsMade}/${attempts}): ${e.message}`);
      return;
    }
    logger.error(`${kind} job ${job.id} exhausted ${attempts} attempts; quarantining: ${e.message}`);
    quarantineEach(job, `attempts exhausted: ${e.message}`).catch((qe: unknown) => {
      logger.error(`${kind} job ${job.id} could not be quarantined (${(qe as Error).message}); it stays in the failed set`);
    });
  });
  return {
    worker,
    close: async (force: boolean) => {
      // A close that failed has still ended; only one that is still waiting gets disconnected.
      const timedOut = await withTimeout(worker.close(force), CLOSE_TIMEOUT_MS, `${kind} worker close`).then(
        () => false,
        (e: unknown) => e instanceof TimeoutError,
      );
      if (timedOut) {
        logger.warn(`${kind} worker did not close within ${CLOSE_TIMEOUT_MS} ms; disconnecting it (its active jobs return to the queue when their locks expire)`);
        await withTimeout(worker.disconnect(), CLOSE_TIMEOUT_MS, `${kind} worker disconnect`).catch(() => undefined);
      }
      connection.disconnect();
    },
  };
}

/**
 * The events of a job: a `*.batch` job (what the data plane sends) carries many, a single-event job (the outbox
 * relay, older producers) one. Each event is its own batch item, so a bad one is quarantined alone.
 */
function jobItems(job: Job): BatchItem[] {
  const data = job.data as Partial<EventBatchJob<Record<string, unknown>>> | null;
  if ((job.name === JOBS.usageBatch || job.name === JOBS.auditBatch) && data && Array.isArray(data.events)) {
    return data.events.map((payload, i) => ({ jobId: eventJobId(payload, `${job.id ?? job.name}#${i}`), payload }));
  }
  return [{ jobId: job.id ?? job.name, payload: job.data as unknown }];
}

function eventJobId(payload: Record<string, unknown> | null, fallback: string): string {
  const id = payload?.requestId ?? payload?.eventId;
  return typeof id === 'string' ? safeJobId(id) : fallback;
}

/** Completes once every event of the job is committed (or quarantined); any failure fails the whole job for a retry. */
async function processJob(batcher: MicroBatcher<BatchItem, WriteOutcome>, job: Job): Promise<WriteOutcome[]> {
  return Promise.all(jobItems(job).map((item) => batcher.add(item)));
}
