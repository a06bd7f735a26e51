import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';
import { ErrorCode, LlmpError, type AuditEventInput } from '@llmp/common';
import { OutboxRepository } from '@llmp/infra';
import { TransactionRunner } from '@llmp/policy';
import { AdminUserRepository } from '../users/admin-user.repository';
import { AdminTokenService } from './admin-token.service';
import type { LoginDto } from './dto/login.dto';
import type { LoginResultDto } from './dto/login-result.dto';

export interface LoginSource {
  sourceIp: string | null;
  requestId: string | null;
}

/** Email + password → a short-lived admin token; every attempt is audited. */
@Injectable()
export class AuthService {
  /** Verified against when the email is unknown, so both failures take the same time. */
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly users: AdminUserRepository,
    private readonly tokens: AdminTokenService,
    private readonly outbox: OutboxRepository,
    private readonly tx: TransactionRunner,
  ) {}

  async login(dto: LoginDto, source: LoginSource): Promise<LoginResultDto> {
    const email = dto.email.toLowerCase();
    const user = await this.users.findCredentialsByEmail(email);
    this.dummyHash ??= hash(randomUUID());
    const ok = await verify(user?.passwordHash ?? (await this.dummyHash), dto.password).catch(() => false);
    if (!user || !ok || user.disabledAt) {
      await this.audit('auth.login_failed', 'anonymous', null, `user:${email}`, source, { reason: 'invalid credentials' });
      throw new LlmpError(ErrorCode.InvalidApiKey, 'Invalid email or password.');
    }
    const issued = await this.tokens.issue(user.id);
    await this.audit('auth.login', 'admin', user.id, `user:${user.id}`, source, { role: user.role });
    return { token: issued.token, tokenType: 'Bearer', expiresAt: issued.expiresAt.toISOString(), role: user.role };
  }

  private async audit(
    action: string,
    actorType: AuditEventInput['actorType'],
    actorId: string | null,
    target: string,
    source: LoginSource,
    after: unknown,
  ): Promise<void> {
    const event: AuditEventInput = {
      eventId: randomUUID(),
      time: new Date().toISOString(),
      actorType,
      actorId,
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
