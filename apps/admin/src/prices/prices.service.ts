import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { ErrorCode, LlmpError } from '@llmp/common';
import { ENV_CONFIG, type EnvConfig, OutboxRepository, REDIS } from '@llmp/infra';
import {
  ModelPriceRepository,
  normalizeDecimal,
  type PriceEntry,
  PriceBook,
  PRICING_INVALIDATION_CHANNEL,
  TransactionRunner,
} from '@llmp/policy';
import type { AdminRequestContext } from '../auth/admin-request-context';
import { adminAuditEvent } from '../common/audit-event.factory';

/** Reads effective prices and writes overrides (audited in the same transaction, then announced to every replica). */
@Injectable()
export class PricesService {
  constructor(
    private readonly book: PriceBook,
    private readonly repo: ModelPriceRepository,
    private readonly outbox: OutboxRepository,
    private readonly tx: TransactionRunner,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(ENV_CONFIG) private readonly env: EnvConfig,
  ) {}

  async list(): Promise<PriceEntry[]> {
    await this.book.refresh();
    return this.book.list();
  }

  async get(model: string): Promise<PriceEntry> {
    await this.book.refresh();
    const entry = this.book.entryOf(model);
    if (!entry) throw new LlmpError(ErrorCode.NotFound, `no price for model ${model}`);
    return entry;
  }

  async put(ctx: AdminRequestContext, model: string, input: number, output: number): Promise<PriceEntry> {
    const inputPerMillion = normalizeDecimal(input);
    const outputPerMillion = normalizeDecimal(output);
    const before = this.book.entryOf(model);
    if (!model || model.length > 256) throw new LlmpError(ErrorCode.InvalidRequest, 'model must be 1-256 characters', { param: 'model' });
    await this.tx.run(async (tx) => {
      await this.repo.upsert(tx, model, inputPerMillion, outputPerMillion);
      await this.outbox.appendAudit(
        tx,
        adminAuditEvent(ctx, 'price.update', model, before, { model, inputPerMillion, outputPerMillion, source: 'override' }),
      );
    });
    await this.redis.publish(this.env.redisPrefix + PRICING_INVALIDATION_CHANNEL, model);
    await this.book.refresh();
    return this.book.entryOf(model) ?? { model, inputPerMillion, outputPerMillion, source: 'override' };
  }
}
