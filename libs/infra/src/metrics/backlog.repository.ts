import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service';

/** The two backlog reads `/metrics` needs from Postgres; both are single index lookups. */
@Injectable()
export class BacklogRepository {
  constructor(private readonly prisma: PrismaService) {}

  async outboxSize(): Promise<number> {
    return this.prisma.outbox.count();
  }

  /** Creation time of the newest ledger row (the createdAt index answers it), or null on an empty ledger. */
  async newestUsageAt(): Promise<Date | null> {
    const row = await this.prisma.usageRecord.findFirst({ orderBy: { createdAt: 'desc' }, select: { createdAt: true } });
    return row?.createdAt ?? null;
  }
}
