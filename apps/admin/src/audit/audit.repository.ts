import { Injectable } from '@nestjs/common';
import { Prisma } from '@prisma/client';
import { PrismaService } from '@llmp/infra';
import { AUDIT_CHAIN_LOCK, AUDIT_PRUNE_ACTION, chainHash, type ChainedFields } from './audit-chain';

export interface AuditRow extends ChainedFields {
  seq: bigint;
  prevHash: string;
  hash: string;
}

export interface AuditFilter {
  from?: Date;
  to?: Date;
  actor?: string;
  action?: string;
  target?: string;
  /** Only rows with seq below this (newest-first paging). */
  beforeSeq?: bigint;
}

const AUDIT_SELECT = {
  seq: true, eventId: true, time: true, actorType: true, actorId: true, action: true, target: true,
  before: true, after: true, requestId: true, sourceIp: true, prevHash: true, hash: true,
} as const;

/** Reads the audit log and prunes it under the chain lock. */
@Injectable()
export class AuditRepository {
  constructor(private readonly prisma: PrismaService) {}

  async list(filter: AuditFilter, limit: number): Promise<AuditRow[]> {
    return this.prisma.auditEvent.findMany({
      where: {
        time: { gte: filter.from, lt: filter.to },
        actorId: filter.actor,
        action: filter.action,
        target: filter.target,
        seq: filter.beforeSeq !== undefined ? { lt: filter.beforeSeq } : undefined,
      },
      orderBy: { seq: 'desc' },
      take: limit,
      select: AUDIT_SELECT,
    });
  }

  /** Rows in chain order after `afterSeq`, for verification. */
  async page(afterSeq: bigint, limit: number): Promise<AuditRow[]> {
    return this.prisma.auditEvent.findMany({
      where: { seq: { gt: afterSeq } },
      orderBy: { seq: 'asc' },
      take: limit,
      select: AUDIT_SELECT,
    });
  }

  /** The anchor recorded by the latest prune (prevHash of the oldest kept row), if the log was ever pruned. */
  async latestPruneAnchor(): Promise<string | null> {
    const row = await this.prisma.auditEvent.findFirst({
      where: { action: AUDIT_PRUNE_ACTION, actorType: 'system' },
      orderBy: { seq: 'desc' },
      select: { after: true },
    });
    const after = row?.after as { anchorHash?: unknown } | null | undefined;
    return typeof after?.anchorHash === 'string' ? after.anchorHash : null;
  }

  /**
   * Deletes the oldest events up to the first one at or after `cutoff` (a contiguous prefix, so the rest still
   * chains), then appends an `audit.pruned` event recording the anchor hash verification restarts from.
   */
  async prune(cutoff: Date, retentionDays: number, event: Omit<ChainedFields, 'after'>): Promise<number> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK}::bigint)`;
      const firstKept = await tx.auditEvent.findFirst({ where: { time: { gte: cutoff } }, orderBy: { seq: 'asc' }, select: { seq: true, prevHash: true } });
      const last = await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
      if (!last) return 0;
      const throughSeq = firstKept ? firstKept.seq - 1n : last.seq;
      const anchorHash = firstKept ? firstKept.prevHash : last.hash;
      const { count } = await tx.auditEvent.deleteMany({ where: { seq: { lte: throughSeq } } });
      if (!count) return 0;
      const after = { anchorHash, deletedThroughSeq: throughSeq.toString(), deleted: count, retentionDays };
      const fields: ChainedFields = { ...event, after };
      const hash = chainHash(last.hash, fields);
      await tx.auditEvent.create({
        data: { ...fields, before: Prisma.DbNull, after, prevHash: last.hash, hash },
        select: { seq: true },
      });
      return count;
    });
  }
}
