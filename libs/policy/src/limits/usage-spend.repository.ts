import { Injectable } from '@nestjs/common';
import { PrismaService } from '@llmp/infra';

/** Reads ledger sums to rebuild budget counters; the ledger is the truth, Redis counters are derived. */
@Injectable()
export class UsageSpendRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Total cost in USD (as a decimal string) of a key's or team's requests since `since` (null = all time). */
  async sumCost(owner: { keyId: string } | { teamId: string }, since: Date | null): Promise<string> {
    const res = await this.prisma.usageRecord.aggregate({
      _sum: { costUsd: true },
      where: { ...owner, ...(since ? { createdAt: { gte: since } } : {}) },
    });
    return res._sum.costUsd?.toString() ?? '0';
  }
}
