import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { WORKERS_OPTIONS, type WorkersOptions } from '../workers/workers.options';
import { AUDIT_PRUNE_ACTION } from './audit-chain';
import { AuditRepository } from './audit.repository';

/** Deletes audit events older than the retention (when configured), keeping the remaining chain verifiable. */
@Injectable()
export class AuditRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditRetentionService.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(WORKERS_OPTIONS) private readonly opts: WorkersOptions,
    private readonly repo: AuditRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.opts.run.prune || !this.opts.auditRetentionDays) return;
    const tick = (): void => {
      void this.prune().catch((e: unknown) => this.logger.warn(`audit pruning failed: ${(e as Error).message}`));
    };
    tick();
    this.timer = setInterval(tick, this.opts.auditPruneIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Prunes now; returns how many events were deleted. */
  async prune(now = new Date(), retentionDays = this.opts.auditRetentionDays): Promise<number> {
    if (!retentionDays || retentionDays <= 0) return 0;
    const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
    const deleted = await this.repo.prune(cutoff, retentionDays, {
      eventId: randomUUID(),
      time: now,
      actorType: 'system',
      actorId: null,
      action: AUDIT_PRUNE_ACTION,
      target: 'audit',
      before: null,
      requestId: null,
      sourceIp: null,
    });
    if (deleted) this.logger.log(`pruned ${deleted} audit events older than ${retentionDays} days`);
    return deleted;
  }
}
