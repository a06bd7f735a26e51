import { randomUUID } from 'node:crypto';
import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ErrorCode, type AuditEventInput } from '@llmp/common';
import { EventPublisher } from '@llmp/infra';
import { AuthenticateStage, type AuthFailureWindow } from '@llmp/policy';

/** How often ended minutes are looked for: an aggregated event leaves at most this long after its minute ends. */
const SWEEP_MS = 5000;

/**
 * Audits failed data plane authentication in aggregate: one `request.denied.invalid_api_key` event per client
 * address per minute (per replica) with the number of attempts, instead of one per request, so a guessing client
 * cannot fill the audit trail. Each request still has its own usage record. Windows still open are written on
 * shutdown (before the event publisher's own final flush).
 */
@Injectable()
export class AuthFailureAudit implements OnModuleInit, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly authenticate: AuthenticateStage,
    private readonly events: EventPublisher,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => this.publish(false), SWEEP_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.publish(true);
  }

  private publish(all: boolean): void {
    for (const w of this.authenticate.failures.takeClosed(Date.now(), all)) this.events.publishAudit(eventOf(w));
  }
}

function eventOf(w: AuthFailureWindow): AuditEventInput {
  return {
    eventId: randomUUID(),
    time: new Date().toISOString(),
    actorType: 'anonymous',
    actorId: null,
    action: `request.denied.${ErrorCode.InvalidApiKey}`,
    target: null,
    before: null,
    after: {
      code: ErrorCode.InvalidApiKey,
      aggregated: true,
      count: w.failures,
      limited: w.limited,
      minute: new Date(w.minuteStart).toISOString(),
      firstAt: new Date(w.firstAt).toISOString(),
      lastAt: new Date(w.lastAt).toISOString(),
    },
    requestId: null,
    sourceIp: w.address,
  };
}
