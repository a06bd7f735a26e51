import { Injectable } from '@nestjs/common';
import type { Prisma } from '@prisma/client';
import type { AuditEventInput, UsageEvent } from '@llmp/common';
import { PrismaService, type PrismaTx } from '../prisma/prisma.service';

export type OutboxKind = 'usage' | 'audit';

/** A row waiting to be relayed to its queue. */
export interface OutboxEntry {
  id: bigint;
  kind: OutboxKind;
  jobId: string;
  payload: UsageEvent | AuditEventInput;
  attempts: number;
}

/**
 * The Postgres outbox: admin audit events written in the same transaction as the change they describe, and events
 * the data plane could not queue because Redis refused them. The relay worker drains it.
 */
@Injectable()
export class OutboxRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Records an audit event inside the caller's transaction, so a committed change always has its event. */
  async appendAudit(tx: PrismaTx, event: AuditEventInput): Promise<void> {
    await tx.outbox.create({
      data: { kind: 'audit', jobId: event.eventId, payload: event as unknown as Prisma.InputJsonValue },
      select: { id: true },
    });
  }

  /** Stores events that could not be queued; a duplicate job id is ignored (at-least-once upstream). */
  async appendMany(kind: OutboxKind, events: { jobId: string; payload: UsageEvent | AuditEventInput }[]): Promise<void> {
    if (!events.length) return;
    await this.prisma.outbox.createMany({
      data: events.map((e) => ({ kind, jobId: e.jobId, payload: e.payload as unknown as Prisma.InputJsonValue })),
      skipDuplicates: true,
    });
  }

  async takeBatch(limit: number): Promise<OutboxEntry[]> {
    const rows = await this.prisma.outbox.findMany({
      orderBy: { id: 'asc' },
      take: limit,
      select: { id: true, kind: true, jobId: true, payload: true, attempts: true },
    });
    return rows.map((r) => ({ ...r, kind: r.kind as OutboxKind, payload: r.payload as unknown as OutboxEntry['payload'] }));
  }

  async remove(ids: bigint[]): Promise<void> {
    if (ids.length) await this.prisma.outbox.deleteMany({ where: { id: { in: ids } } });
  }

  async markFailed(id: bigint, error: string): Promise<void> {
    await this.prisma.outbox.update({
      where: { id },
      data: { attempts: { increment: 1 }, lastError: error.slice(0, 500) },
      select: { id: true },
    });
  }

  async count(): Promise<number> {
    return this.prisma.outbox.count();
  }
}
