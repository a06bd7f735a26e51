import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { ErrorCode, LlmpError } from '@llmp/common';
import { ConfigStore, REDIS } from '@llmp/infra';
import { AuthAuditService, type AuthSource } from './auth-audit.service';
import { LOGIN_THROTTLE_LUA } from './login-throttle.lua';

interface ThrottleRedis extends Redis {
  llmpLoginThrottle(numKeys: number, ...args: (string | number)[]): Promise<number[]>;
}

interface Subject {
  key: string;
  limit: number;
  /** Audit target: `user:<email>` or `ip:<address>`. */
  target: string;
}

/** One counted attempt: report how the credential check ended. */
export interface ThrottledAttempt {
  succeeded(): Promise<void>;
  failed(): Promise<void>;
}

const UNTHROTTLED: ThrottledAttempt = { succeeded: async () => undefined, failed: async () => undefined };

/**
 * Slows credential guessing on the control plane: failed sign-ins per email and per client IP, and bad master-key or
 * bearer credentials per client IP, in Redis sliding windows shared by every replica. Over the limit, sign-ins are
 * refused with 429 and Retry-After before the password is checked (alike for known and unknown emails); a master key
 * or bearer token is checked first, and only a wrong one is counted and, over the limit, answered 429.
 */
@Injectable()
export class LoginThrottleService {
  private readonly logger = new Logger(LoginThrottleService.name);
  private readonly redis: ThrottleRedis;

  constructor(
    @Inject(REDIS) redis: Redis,
    private readonly config: ConfigStore,
    private readonly audit: AuthAuditService,
  ) {
    redis.defineCommand('llmpLoginThrottle', { lua: LOGIN_THROTTLE_LUA });
    // defineCommand adds the method at runtime; the interface above declares it.
    this.redis = redis as ThrottleRedis;
  }

  /** A sign-in by `email` from `source`: counted now (before argon2 runs), or 429 while the email or IP is locked. */
  async signIn(source: AuthSource, email: string): Promise<ThrottledAttempt> {
    const t = this.config.current().admin.loginThrottle;
    const ip = source.sourceIp ?? 'unknown';
    const digest = createHash('sha256').update(email, 'utf8').digest('hex');
    const subjects: Subject[] = [
      { key: `authfail:{admin}:user:${digest}`, limit: t.maxFailures, target: `user:${email}` },
      { key: `authfail:{admin}:ip:${ip}`, limit: t.ipMaxFailures, target: `ip:${ip}` },
    ];
    const attemptId = randomUUID();
    const reply = await this.run(subjects, attemptId, 'reserve');
    if (!reply) return UNTHROTTLED;
    if (Number(reply[0]) === 0) throw this.refusal(reply, 'Too many failed sign-in attempts. Try again later.');
    return {
      succeeded: async () => {
        const ops = this.redis.multi();
        for (const s of subjects) {
          if (s.target.startsWith('user:')) ops.del(s.key);
          else ops.zrem(s.key, attemptId);
        }
        await ops.exec().catch((e: Error) => this.logger.warn(`sign-in throttle reset failed: ${e.message}`));
      },
      failed: () => this.auditLocks(source, subjects, reply.slice(2).map(Number)),
    };
  }

  /**
   * A master key or bearer token from `source` that was checked and is wrong: counted per client IP; 429 with
   * Retry-After (instead of the caller's 401) while the IP is locked. Only failures are ever counted or refused, so a
   * valid credential is never locked out by other clients' guesses behind the same address.
   */
  async credentialFailed(source: AuthSource): Promise<void> {
    const t = this.config.current().admin.loginThrottle;
    const ip = source.sourceIp ?? 'unknown';
    const subjects: Subject[] = [{ key: `authfail:{admin}:ip:${ip}`, limit: t.ipMaxFailures, target: `ip:${ip}` }];
    const reply = await this.run(subjects, randomUUID(), 'fail');
    if (!reply) return;
    // A lockout is audited once, on the failure that starts it; failures during a lock extend it silently.
    if (Number(reply[0]) === 1) await this.auditLocks(source, subjects, reply.slice(2).map(Number));
    else throw this.refusal(reply, 'Too many failed credentials from this address. Try again later.');
  }

  private async run(subjects: Subject[], attemptId: string, mode: 'reserve' | 'fail'): Promise<number[] | null> {
    const t = this.config.current().admin.loginThrottle;
    try {
      return await this.redis.llmpLoginThrottle(
        subjects.length,
        ...subjects.map((s) => s.key),
        t.windowSeconds * 1000, t.lockSeconds * 1000, t.maxLockSeconds * 1000, attemptId, mode,
        ...subjects.map((s) => s.limit),
      );
    } catch (e) {
      // Sign-in stays possible without Redis (argon2 still runs); the outage is visible in logs and /health.
      this.logger.warn(`sign-in throttle unavailable, attempt not counted: ${(e as Error).message}`);
      return null;
    }
  }

  private refusal(reply: number[], message: string): LlmpError {
    const retryAfterSeconds = Math.max(1, Math.ceil(Number(reply[1]) / 1000));
    return new LlmpError(ErrorCode.RateLimitExceeded, message, { retryAfterSeconds });
  }

  private async auditLocks(source: AuthSource, subjects: Subject[], counts: number[]): Promise<void> {
    const t = this.config.current().admin.loginThrottle;
    for (const [i, s] of subjects.entries()) {
      if (counts[i] < s.limit) continue;
      const lockSeconds = Math.min(t.lockSeconds * 2 ** (counts[i] - s.limit), t.maxLockSeconds);
      this.logger.warn(`sign-in locked for ${lockSeconds} s after ${counts[i]} failures (${s.target.split(':')[0]})`);
      await this.audit.record('auth.lockout', { type: 'anonymous', id: null }, s.target, source, { failures: counts[i], lockSeconds });
    }
  }
}
