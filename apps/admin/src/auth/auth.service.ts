import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';
import { ErrorCode, LlmpError } from '@llmp/common';
import { AdminUserRepository } from '../users/admin-user.repository';
import { AdminTokenService } from './admin-token.service';
import { AuthAuditService, type AuthSource } from './auth-audit.service';
import type { LoginDto } from './dto/login.dto';
import type { LoginResultDto } from './dto/login-result.dto';
import { LoginThrottleService } from './login-throttle.service';

/** Email + password → a short-lived admin token; every attempt is audited and counted by the throttle. */
@Injectable()
export class AuthService {
  /** Verified against when the email is unknown, so both failures take the same time. */
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly users: AdminUserRepository,
    private readonly tokens: AdminTokenService,
    private readonly audit: AuthAuditService,
    private readonly throttle: LoginThrottleService,
  ) {}

  async login(dto: LoginDto, source: AuthSource): Promise<LoginResultDto> {
    const email = dto.email.toLowerCase();
    // Counted before the password is checked; a locked email or IP gets 429 whether the account exists or not.
    const attempt = await this.throttle.signIn(source, email);
    const user = await this.users.findCredentialsByEmail(email);
    this.dummyHash ??= hash(randomUUID());
    const ok = await verify(user?.passwordHash ?? (await this.dummyHash), dto.password).catch(() => false);
    if (!user || !ok || user.disabledAt) {
      await this.audit.record('auth.login_failed', { type: 'anonymous', id: null }, `user:${email}`, source, { reason: 'invalid credentials' });
      await attempt.failed();
      throw new LlmpError(ErrorCode.InvalidApiKey, 'Invalid email or password.');
    }
    await attempt.succeeded();
    const issued = await this.tokens.issue(user.id, user.tokenVersion);
    await this.audit.record('auth.login', { type: 'admin', id: user.id }, `user:${user.id}`, source, { role: user.role });
    return { token: issued.token, tokenType: 'Bearer', expiresAt: issued.expiresAt.toISOString(), role: user.role };
  }
}
