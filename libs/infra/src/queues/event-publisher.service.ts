import { Inject, Injectable, Logger, type BeforeApplicationShutdown, Optional } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { type AuditEventInput, type EventBatchJob, JOBS, QUEUES, type UsageEvent } from '@llmp/common';
import type { EnvConfig } from '../config/env.config';
import { type OutboxKind, OutboxRepository } from '../outbox/outbox.repository';
import { withTimeout } from '../async/with-timeout';
import { bullConnection } from '../redis/redis.factory';
import { ENV_CONFIG } from '../tokens';
import {
  DEFAULT_EVENT_PUBLISHER_OPTIONS,
  EVENT_PUBLISHER_OPTIONS,
  type EventPublisherOptions,
} from './event-publisher.options';
import { eventJobOptions } from './job-options';
import { bullPrefix, safeJobId } from './queue-naming';
import { redactSecrets } from '@llmp/common';

interface PendingEvent {
  jobId: string;
  payload: UsageEvent | AuditEventInput;
}

/** Counters for /metrics and tests. */
export interface EventPublisherStats {
  published: number;
  queued: number;
  outboxed: number;
  /** Events discarded because the in-memory bound was exceeded while both sinks refused; each one is logged. */
  dropped: number;
  failedFlushes: number;
  buffered: number;
}

const KINDS: readonly OutboxKind[] = ['usage', 'audit'];
const BATCH_JOB_NAME: Record<OutboxKind, string> = { usage: JOBS.usageBatch, audit: JOBS.auditBatch };

/**
 * The data plane's way out for usage records and audit events. `publish*` only appends to memory, so the response
 * path never waits; batches leave every few milliseconds through BullMQ (job id = request id / event id), fall back
 * to the Postgres outbox when Redis refuses, and stay in memory for a retry when both refuse.
 */
@Injectable()
export class EventPublisher implements BeforeApplicationShutdown {
  private readonly logger = new Logger(EventPublisher.name);
  private readonly opts: EventPublisherOptions;
  private readonly connection: Redis;
  private readonly queues: Record<OutboxKind, Queue>;
  private readonly buffers: Record<OutboxKind, PendingEvent[]> = { usage: [], audit: [] };
  private readonly counters = { published: 0, queued: 0, outboxed: 0, dropped: 0, failedFlushes: 0 };
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private draining = false;
  private retryAt = 0;
  private consecutiveFailures = 0;
  private redisIncident = false;
  private closed = false;

  constructor(
    @Inject(ENV_CONFIG) env: EnvConfig,
    private readonly outbox: OutboxRepository,
    @Optional() @Inject(EVENT_PUBLISHER_OPTIONS) opts?: Partial<EventPublisherOptions>,
  ) {
    this.opts = { ...DEFAULT_EVENT_PUBLISHER_OPTIONS, flushIntervalMs: env.eventFlushMs, ...opts };
    this.connection = new Redis({
      ...bullConnection(this.opts.redisUrl ?? env.redisUrl),
      // A producer must fail fast when Redis is away so the batch can go to the outbox instead of waiting.
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectTimeout: 2000,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    this.connection.on('error', () => undefined);
    const prefix = bullPrefix(env.redisPrefix);
    this.queues = {
      usage: new Queue(QUEUES.usage, { connection: this.connection, prefix }),
      audit: new Queue(QUEUES.audit, { connection: this.connection, prefix }),
    };
    for (const q of Object.values(this.queues)) q.on('error', () => undefined);
  }

  /** Enqueues one ledger row; returns at once. */
  publishUsage(event: UsageEvent): void {
    this.push('usage', { jobId: safeJobId(event.requestId), payload: event });
  }

  /** Enqueues one audit event (secret-named fields in before/after are redacted); returns at once. */
  publishAudit(event: AuditEventInput): void {
    const payload: AuditEventInput = {
      ...event,
      before: redactSecrets(event.before),
      after: redactSecrets(event.after),
    };
    this.push('audit', { jobId: safeJobId(event.eventId), payload });
  }

  stats(): EventPublisherStats {
    return { ...this.counters, buffered: this.buffered() };
  }

  /** Delivers everything buffered (to Redis, else the outbox); retries a few times before giving up loudly. */
  async flush(): Promise<void> {
    this.clearTimer();
    for (let attempt = 0; attempt < 5 && this.buffered() > 0; attempt++) {
      this.retryAt = 0;
      await this.enqueueDrain(true);
      if (this.buffered() > 0) await new Promise((r) => setTimeout(r, this.backoffMs()));
    }
    if (this.buffered() > 0) {
      this.logger.error(`${this.buffered()} events are still undelivered after flush; Redis and Postgres both refuse`);
    }
  }

  /** Before Redis and Postgres close (onApplicationShutdown): the flush needs the queue or the outbox. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
    this.closed = true;
    this.clearTimer();
    // Last resort: an event neither sink accepted is written to the log so an operator can replay it.
    for (const kind of KINDS) {
      for (const e of this.buffers[kind].splice(0)) {
        this.logger.error(`UNDELIVERED ${kind} event ${e.jobId}: ${JSON.stringify(e.payload)}`);
      }
    }
    await Promise.allSettled(Object.values(this.queues).map((q) => q.close()));
    this.connection.disconnect();
  }

  private push(kind: OutboxKind, event: PendingEvent): void {
    this.counters.published++;
    this.buffers[kind].push(event);
    this.enforceBound();
    if (this.closed) {
      void this.flush();
      return;
    }
    if (this.buffers[kind].length >= this.opts.batchSize) this.schedule(0);
    else this.schedule(this.opts.flushIntervalMs);
  }

  private enforceBound(): void {
    let excess = this.buffered() - this.opts.maxBufferedEvents;
    while (excess-- > 0) {
      // Usage rows go first: audit events are rarer and matter to security reviews.
      const kind: OutboxKind = this.buffers.usage.length ? 'usage' : 'audit';
      const lost = this.buffers[kind].shift();
      if (!lost) break;
      this.counters.dropped++;
      this.logger.error(`DROPPED ${kind} event ${lost.jobId} (buffer full, Redis and Postgres down): ${JSON.stringify(lost.payload)}`);
    }
  }

  private schedule(delayMs: number): void {
    if (this.draining) return;
    const wait = Math.max(delayMs, this.retryAt - Date.now());
    if (this.timer && wait > 0) return;
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.enqueueDrain();
    }, wait);
    this.timer.unref?.();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private enqueueDrain(untilEmpty = false): Promise<void> {
    this.chain = this.chain.then(() => this.drain(untilEmpty)).catch((e: unknown) => {
      this.logger.error(`event flush crashed: ${(e as Error).message}`);
    });
    return this.chain;
  }

  /**
   * Sends what is buffered. A timed drain makes one pass and leaves what arrives meanwhile for the next interval
   * (unless a full batch is already waiting): draining until empty turned every round trip into a job under load,
   * 30-60 small jobs a second whatever the interval, each costing the worker its own Redis round trips.
   */
  private async drain(untilEmpty: boolean): Promise<void> {
    this.draining = true;
    try {
      for (let pass = 0; this.buffered() > 0 && (pass === 0 || untilEmpty || this.fullBatchWaiting()); pass++) {
        if (Date.now() < this.retryAt) break;
        for (const kind of KINDS) {
          const batch = this.buffers[kind].splice(0, this.opts.batchSize);
          if (!batch.length) continue;
          if (!(await this.deliver(kind, batch))) {
            this.buffers[kind].unshift(...batch);
            this.enforceBound();
            this.counters.failedFlushes++;
            this.consecutiveFailures++;
            this.retryAt = Date.now() + this.backoffMs();
            break;
          }
          this.consecutiveFailures = 0;
        }
      }
    } finally {
      this.draining = false;
    }
    if (this.buffered() > 0 && !this.closed) this.schedule(this.opts.flushIntervalMs);
  }

  private async deliver(kind: OutboxKind, batch: PendingEvent[]): Promise<boolean> {
    try {
      await this.toQueue(kind, batch);
      this.counters.queued += batch.length;
      if (this.redisIncident) this.logger.log('Redis accepts jobs again; leaving outbox mode');
      this.redisIncident = false;
      return true;
    } catch (e) {
      if (!this.redisIncident) {
        this.logger.warn(`Redis refused ${kind} jobs (${(e as Error).message}); writing them to the Postgres outbox`);
      }
      this.redisIncident = true;
    }
    try {
      await withTimeout(
        this.outbox.appendMany(kind, batch),
        this.opts.outboxTimeoutMs,
        'outbox insert',
      );
      this.counters.outboxed += batch.length;
      return true;
    } catch (e) {
      this.logger.error(
        `Redis AND Postgres refused ${batch.length} ${kind} events (${(e as Error).message}); ` +
          `holding ${this.buffered() + batch.length} events in memory and retrying`,
      );
      return false;
    }
  }

  /**
   * One job per `eventsPerJob` events. The job id is derived from its first event, so a retried batch lands on the
   * same id; whatever still slips through twice is deduplicated by the ledger's and audit log's unique ids.
   */
  private async toQueue(kind: OutboxKind, batch: PendingEvent[]): Promise<void> {
    await this.waitForConnection();
    const opts = eventJobOptions(this.opts.jobAttempts);
    const jobs = [];
    for (let i = 0; i < batch.length; i += this.opts.eventsPerJob) {
      const part = batch.slice(i, i + this.opts.eventsPerJob);
      const data: EventBatchJob<UsageEvent | AuditEventInput> = { events: part.map((e) => e.payload) };
      jobs.push({ name: BATCH_JOB_NAME[kind], data, opts: { ...opts, jobId: `b.${part[0].jobId}.${part.length}` } });
    }
    // A late success of an addBulk that timed out is harmless: the same job ids and the ledger's unique keys
    // deduplicate the retry.
    await withTimeout(this.queues[kind].addBulk(jobs), this.opts.redisTimeoutMs, 'queue addBulk');
  }

  /** While ioredis is (re)connecting we wait briefly; when the connection is down we fail at once. */
  private async waitForConnection(): Promise<void> {
    const status = this.connection.status;
    if (status === 'ready') return;
    if (status !== 'connecting' && status !== 'connect' && status !== 'wait') {
      throw new Error(`redis connection is ${status}`);
    }
    let onReady = (): void => undefined;
    let onClose = (): void => undefined;
    try {
      await withTimeout(
        new Promise<void>((resolve, reject) => {
          onReady = () => resolve();
          onClose = () => reject(new Error('redis connection closed'));
          this.connection.once('ready', onReady);
          this.connection.once('close', onClose);
        }),
        this.opts.redisTimeoutMs,
        'redis connect',
      );
    } finally {
      this.connection.off('ready', onReady);
      this.connection.off('close', onClose);
    }
  }

  private fullBatchWaiting(): boolean {
    return KINDS.some((kind) => this.buffers[kind].length >= this.opts.batchSize);
  }

  private buffered(): number {
    return this.buffers.usage.length + this.buffers.audit.length;
  }

  private backoffMs(): number {
    return Math.min(this.opts.retryDelayMs * 2 ** Math.min(this.consecutiveFailures, 10), this.opts.maxRetryDelayMs);
  }
}
