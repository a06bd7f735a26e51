import { randomUUID } from 'node:crypto';
import type { AuditEventInput } from '@llmp/common';
import type { AdminRequestContext } from '../auth/admin-request-context';

/** An audit event for an admin mutation. Callers pass public views only (no secrets, no hashes). */
export function adminAuditEvent(
  ctx: AdminRequestContext,
  action: string,
  target: string | null,
  before: unknown,
  after: unknown,
): AuditEventInput {
  return {
    eventId: randomUUID(),
    time: new Date().toISOString(),
    actorType: ctx.actor.type,
    actorId: ctx.actor.id,
    action,
    target,
    before: before ?? null,
    after: after ?? null,
    requestId: ctx.requestId,
    sourceIp: ctx.actor.sourceIp,
  };
}
