import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { QUEUES } from '@llmp/common';
import { ENV_CONFIG, type EnvConfig } from '@llmp/infra';
import { type BatchedWorker, createBatchedWorker } from './bull-worker.factory';
import { QuarantineRepository } from './quarantine.repository';
import { UsageLedgerWriter } from './usage-ledger.writer';
import { WORKERS_OPTIONS, type WorkersOptions } from './workers.options';

/** Consumes the usage queue into the ledger in batches. */
@Injectable()
export class UsageLedgerProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(UsageLedgerProcessor.name);
  private worker: BatchedWorker | null = null;

  constructor(
    @Inject(ENV_CONFIG) private readonly env: EnvConfig,
    @Inject(WORKERS_OPTIONS) private readonly opts: WorkersOptions,
    private readonly writer: UsageLedgerWriter,
    private readonly quarantine: QuarantineRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.opts.run.usage) return;
    this.worker = createBatchedWorker(QUEUES.usage, 'usage', this.env, this.opts, (items) => this.writer.write(items), this.quarantine, this.logger);
    void this.worker.worker.run().catch((e: unknown) => this.logger.error(`usage worker stopped: ${(e as Error).message}`));
  }

  /** Waits for active jobs to finish (graceful); `force` abandons them to the stalled-job checker. */
  async close(force = false): Promise<void> {
    await this.worker?.close(force);
    this.worker = null;
  }

  /** Before Postgres and Redis close (onApplicationShutdown), so the current batch can still commit. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
