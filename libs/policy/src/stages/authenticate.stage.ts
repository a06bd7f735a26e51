import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, LlmpError, type GatewayConfig, type Principal } from '@llmp/common';
import { GATEWAY_CONFIG } from '@llmp/infra';
import { AuthFailureLimiter } from '../keys/auth-failure-limiter';
import { KeyAuthService } from '../keys/key-auth.service';

export const TOO_MANY_AUTH_FAILURES_MESSAGE = 'Too many failed authentication attempts from your address; retry after the time in Retry-After with a valid key.';

/**
 * Stage 1: the credentials the data plane found → the principal and its cached policy snapshot. Failed attempts
 * are counted per client address; past the limit, further attempts from that address are checked against memory
 * and Redis only (a valid key used in the last minutes still passes) and anything else is a 429, so guessing costs
 * no Postgres lookup.
 */
@Injectable()
export class AuthenticateStage {
  /** This replica's failed attempts per address and minute: the limiter's state and the audit trail's source. */
  readonly failures: AuthFailureLimiter;

  constructor(
    private readonly keyAuth: KeyAuthService,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.failures = new AuthFailureLimiter(config.auth.maxFailuresPerMinute);
  }

  /** Throws `invalid_api_key` with one message for every kind of bad credential, or a 429 for a limited address. */
  async run(credentials: readonly string[], clientAddress: string): Promise<Principal> {
    const retryAfterSeconds = this.failures.limitedFor(clientAddress, Date.now());
    if (retryAfterSeconds > 0) {
      const principal = await this.keyAuth.authenticateCached(credentials);
      if (principal) return principal;
      this.failures.record(clientAddress, Date.now(), true);
      throw new LlmpError(ErrorCode.RateLimitExceeded, TOO_MANY_AUTH_FAILURES_MESSAGE, { retryAfterSeconds });
    }
    try {
      return await this.keyAuth.authenticate(credentials);
    } catch (e) {
      if (e instanceof LlmpError && e.code === ErrorCode.InvalidApiKey) this.failures.record(clientAddress, Date.now(), false);
      throw e;
    }
  }
}
