import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { AuditEventInput } from '@llmp/common';
import { OutboxRepository } from '@llmp/infra';
import { TransactionRunner } from '@llmp/policy';

/** Where a sign-in attempt came from, for its audit event. */
export interface AuthSource {
  sourceIp: string | null;
  requestId: string | null;
}

/** Audit events of sign-in attempts and lockouts, written through the outbox (no actor is authenticated yet). */
@Injectable()
export class AuthAuditService {
  constructor(
    private readonly outbox: OutboxRepository,
    private readonly tx: TransactionRunner,
  ) {}

  async record(
    action: string,
    actor: { type: AuditEventInput['actorType']; id: string | null },
    target: string,
    source: AuthSource,
    after: unknown,
  ): Promise<void> {
    const event: AuditEventInput = {
      eventId: randomUUID(),
      time: new Date().toISOString(),
      actorType: actor.type,
      actorId: actor.id,
      action,
      target,
      before: null,
      after,
      requestId: source.requestId,
      sourceIp: source.sourceIp,
    };
    await this.tx.run((tx) => this.outbox.appendAudit(tx, event));
  }
}
