import { Injectable } from '@nestjs/common';
import { Prisma } from '@prisma/client';
import { PrismaService } from '@llmp/infra';
import { AUDIT_CHAIN_LOCK, AUDIT_GENESIS_HASH, chainHash, type ChainedFields } from '../audit/audit-chain';

function json(value: unknown): Prisma.InputJsonValue | typeof Prisma.DbNull {
  return value === null || value === undefined ? Prisma.DbNull : (value as Prisma.InputJsonValue);
}

/** Appends events to the audit hash chain, serialized across processes by an advisory lock. */
@Injectable()
export class AuditWriterRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Chains and inserts the events not already present (by eventId); returns how many were new. */
  async append(events: readonly ChainedFields[]): Promise<number> {
    if (!events.length) return 0;
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK}::bigint)`;
      const ids = events.map((e) => e.eventId);
      const existing = await tx.auditEvent.findMany({ where: { eventId: { in: ids } }, select: { eventId: true } });
      const seen = new Set(existing.map((r) => r.eventId));
      const last = await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { hash: true } });
      let prevHash = last?.hash ?? AUDIT_GENESIS_HASH;
      const rows: Prisma.AuditEventCreateManyInput[] = [];
      for (const e of events) {
        if (seen.has(e.eventId)) continue;
        seen.add(e.eventId);
        const hash = chainHash(prevHash, e);
        rows.push({ ...e, before: json(e.before), after: json(e.after), prevHash, hash });
        prevHash = hash;
      }
      // One row per statement: seq must follow chain order, which a multi-row insert does not promise.
      for (const row of rows) await tx.auditEvent.create({ data: row, select: { seq: true } });
      return rows.length;
    });
  }
}
