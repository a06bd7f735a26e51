import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUES } from '@llmp/common';
import type { EnvConfig } from '../config/env.config';
import { withTimeout } from '../async/with-timeout';
import { bullPrefix } from '../queues/queue-naming';
import { bullConnection } from '../redis/redis.factory';
import { ENV_CONFIG } from '../tokens';
import { BacklogRepository } from './backlog.repository';
import { MetricsService } from './metrics.service';

const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized', 'waiting-children'] as const;

/** Bounds one scrape's Redis and Postgres reads, so a dead backend makes a gap in the graph, not a hung scrape. */
const SAMPLE_TIMEOUT_MS = 2_000;

/**
 * Samples the delivery backlog on each scrape (never per request): BullMQ job counts per queue and state, outbox
 * rows waiting for the relay, and ledger lag. Registered by the control plane, which every install runs once.
 */
@Injectable()
export class BacklogMetricsCollector implements OnModuleInit, OnModuleDestroy {
  private connection: Redis | null = null;
  private queues: Queue[] = [];

  constructor(
    @Inject(ENV_CONFIG) private readonly env: EnvConfig,
    private readonly metrics: MetricsService,
    private readonly repo: BacklogRepository,
  ) {}

  onModuleInit(): void {
    const depth = this.metrics.gauge('llmp_queue_jobs', 'BullMQ jobs per queue and state, sampled on scrape', ['queue', 'state']);
    const outbox = this.metrics.gauge('llmp_outbox_rows', 'Events in the Postgres outbox waiting to be relayed to their queue');
    const lag = this.metrics.gauge(
      'llmp_ledger_lag_seconds',
      'Now minus the newest usage ledger row; grows while traffic flows but the ledger writer is behind (read with llmp_queue_jobs{queue="usage",state="waiting"})',
    );
    this.metrics.addCollector('queues', async () => {
      for (const q of this.queueList()) {
        const counts = await withTimeout(q.getJobCounts(...JOB_STATES), SAMPLE_TIMEOUT_MS, 'queue job counts');
        for (const state of JOB_STATES) depth.set({ queue: q.name, state }, counts[state] ?? 0);
      }
    });
    this.metrics.addCollector('outbox', async () => outbox.set(await withTimeout(this.repo.outboxSize(), SAMPLE_TIMEOUT_MS, 'outbox size')));
    this.metrics.addCollector('ledger', async () => {
      const newest = await withTimeout(this.repo.newestUsageAt(), SAMPLE_TIMEOUT_MS, 'ledger lag');
      lag.set(newest ? Math.max(0, (Date.now() - newest.getTime()) / 1000) : 0);
    });
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled(this.queues.map((q) => q.close()));
    this.connection?.disconnect();
  }

  private queueList(): Queue[] {
    if (!this.connection) {
      // One retry only: a scrape while Redis is away fails within the sample timeout instead of piling up commands.
      this.connection = new Redis({ ...bullConnection(this.env.redisUrl), maxRetriesPerRequest: 1 });
      this.connection.on('error', () => undefined);
      const prefix = bullPrefix(this.env.redisPrefix);
      this.queues = Object.values(QUEUES).map((name) => new Queue(name, { connection: this.connection!, prefix }));
      for (const q of this.queues) q.on('error', () => undefined);
    }
    return this.queues;
  }
}
