import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { JOBS, QUEUES } from '@llmp/common';
import {
  bullConnection,
  bullPrefix,
  DEFAULT_EVENT_PUBLISHER_OPTIONS,
  ENV_CONFIG,
  type EnvConfig,
  eventJobOptions,
  type OutboxEntry,
  type OutboxKind,
  OutboxRepository,
  safeJobId,
} from '@llmp/infra';
import { QuarantineRepository } from './quarantine.repository';
import { WORKERS_OPTIONS, type WorkersOptions } from './workers.options';

const JOB_NAME: Record<OutboxKind, string> = { usage: JOBS.usageRecord, audit: JOBS.auditEvent };

/**
 * Moves outbox rows (admin audit events written with their change; events the data plane could not queue) onto
 * their queues, job id = the row's job id, and deletes them once queued. A row that keeps failing while Redis is up
 * is quarantined after `relayMaxAttempts`; a Redis outage does not count against rows.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private connection: Redis | null = null;
  private queues: Record<OutboxKind, Queue> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private running: Promise<void> = Promise.resolve();

  constructor(
    @Inject(ENV_CONFIG) private readonly env: EnvConfig,
    @Inject(WORKERS_OPTIONS) private readonly opts: WorkersOptions,
    private readonly outbox: OutboxRepository,
    private readonly quarantine: QuarantineRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.opts.run.relay) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops relaying before Postgres and Redis close (onApplicationShutdown), so a batch in progress can finish. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    if (this.queues) await Promise.allSettled(Object.values(this.queues).map((q) => q.close()));
    this.connection?.disconnect();
  }

  /** Relays until the outbox is empty or a batch fails; returns how many rows were queued. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const moved = await this.relayBatch();
      total += Math.max(moved, 0);
      if (moved <= 0) return total;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.drain()
        .then(() => undefined)
        .catch((e: unknown) => this.logger.warn(`outbox relay: ${(e as Error).message}`))
        .finally(() => this.schedule(this.opts.relayIntervalMs));
    }, delayMs);
  }

  /** Returns rows queued, 0 when empty, -1 when the batch failed. */
  private async relayBatch(): Promise<number> {
    const rows = await this.outbox.takeBatch(this.opts.relayBatchSize);
    if (!rows.length) return 0;
    const live: OutboxEntry[] = [];
    for (const row of rows) {
      if (row.attempts >= this.opts.relayMaxAttempts) {
        await this.quarantine.add(row.kind, row.jobId, row.payload, `outbox relay gave up after ${row.attempts} attempts`);
        await this.outbox.remove([row.id]);
        this.logger.error(`outbox row ${row.jobId} quarantined after ${row.attempts} relay attempts`);
      } else {
        live.push(row);
      }
    }
    const { connection, queues } = this.ensureQueues();
    let queued = 0;
    for (const kind of ['usage', 'audit'] as const) {
      const batch = live.filter((r) => r.kind === kind);
      if (!batch.length) continue;
      try {
        if (connection.status !== 'ready') throw new Error(`redis connection is ${connection.status}`);
        await queues[kind].addBulk(
          batch.map((r) => ({
            name: JOB_NAME[kind],
            data: r.payload,
            opts: { ...eventJobOptions(DEFAULT_EVENT_PUBLISHER_OPTIONS.jobAttempts), jobId: safeJobId(r.jobId) },
          })),
        );
      } catch (e) {
        const message = (e as Error).message;
        if (connection.status === 'ready') {
          for (const r of batch) await this.outbox.markFailed(r.id, message);
        }
        this.logger.warn(`outbox relay could not queue ${batch.length} ${kind} rows: ${message}`);
        return -1;
      }
      await this.outbox.remove(batch.map((r) => r.id));
      queued += batch.length;
    }
    return queued || rows.length;
  }

  private ensureQueues(): { connection: Redis; queues: Record<OutboxKind, Queue> } {
    if (!this.connection || !this.queues) {
      this.connection = new Redis({ ...bullConnection(this.env.redisUrl), maxRetriesPerRequest: 1, enableOfflineQueue: false });
      this.connection.on('error', () => undefined);
      const prefix = bullPrefix(this.env.redisPrefix);
      this.queues = {
        usage: new Queue(QUEUES.usage, { connection: this.connection, prefix }),
        audit: new Queue(QUEUES.audit, { connection: this.connection, prefix }),
      };
    }
    return { connection: this.connection, queues: this.queues };
  }
}
