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
 * bearer credentials per client IP, in Redis sliding windows shared by every replica. Over the limit, attempts are
 * refused with 429 and Retry-After before any credential is checked, the same way for known and unknown emails.
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
  signIn(source: AuthSource, email: string): Promise<ThrottledAttempt> {
    return this.begin(source, email);
  }

  /**
   * A master key or bearer token offered from `source`: 429 while the IP is locked, else checked without being
   * counted (so concurrent successful calls never add up); only a failure is counted.
   */
  credential(source: AuthSource): Promise<ThrottledAttempt> {
    return this.begin(source);
  }

  private async begin(source: AuthSource, email?: string): Promise<ThrottledAttempt> {
    const t = this.config.current().admin.loginThrottle;
    const ip = source.sourceIp ?? 'unknown';
    const subjects: Subject[] = [{ key: `authfail:{admin}:ip:${ip}`, limit: t.ipMaxFailures, target: `ip:${ip}` }];
    if (email !== undefined) {
      const digest = createHash('sha256').update(email, 'utf8').digest('hex');
      subjects.unshift({ key: `authfail:{admin}:user:${digest}`, limit: t.maxFailures, target: `user:${email}` });
    }
    const attemptId = randomUUID();
    const run = async (mode: 'reserve' | 'check' | 'record'): Promise<number[] | null> => {
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
    };
    const reserved = email !== undefined;
    const reply = await run(reserved ? 'reserve' : 'check');
    if (!reply) return UNTHROTTLED;
    if (Number(reply[0]) === 0) {
      const retryAfterSeconds = Math.max(1, Math.ceil(Number(reply[1]) / 1000));
      throw new LlmpError(ErrorCode.RateLimitExceeded, 'Too many failed sign-in attempts. Try again later.', { retryAfterSeconds });
    }
    const auditLocks = async (counts: number[]): Promise<void> => {
      for (const [i, s] of subjects.entries()) {
        if (counts[i] < s.limit) continue;
        const lockSeconds = Math.min(t.lockSeconds * 2 ** (counts[i] - s.limit), t.maxLockSeconds);
        this.logger.warn(`sign-in locked for ${lockSeconds} s after ${counts[i]} failures (${s.target.split(':')[0]})`);
        await this.audit.record('auth.lockout', { type: 'anonymous', id: null }, s.target, source, { failures: counts[i], lockSeconds });
      }
    };
    return {
      succeeded: async () => {
        if (!reserved) return;
        const ops = this.redis.multi();
        for (const s of subjects) {
          if (s.target.startsWith('user:')) ops.del(s.key);
          else ops.zrem(s.key, attemptId);
        }
        await ops.exec().catch((e: Error) => this.logger.warn(`sign-in throttle reset failed: ${e.message}`));
      },
      failed: async () => {
        const counts = reserved ? reply.slice(2).map(Number) : (await run('record'))?.slice(2).map(Number);
        if (counts) await auditLocks(counts);
      },
    };
  }
}
