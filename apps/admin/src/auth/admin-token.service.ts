import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '@llmp/infra';

/** Admin session tokens live an hour. */
export const ADMIN_TOKEN_TTL_SECONDS = 3600;
const TOKEN_PREFIX = 'llmpadm_';
const TOKEN_SHAPE = /^llmpadm_[A-Za-z0-9_-]{43}$/;

function redisKey(token: string): string {
  return 'admintok:' + createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Whom a token was issued to, and under which of the user's token versions. */
export interface AdminTokenClaim {
  userId: string;
  tokenVersion: number;
}

/**
 * Short-lived bearer tokens for admin users: random, stored in Redis by hash with a TTL, with the user's token version
 * at issue time (a session ends when the user's version moves past it, see AdminUserRepository.update).
 */
@Injectable()
export class AdminTokenService {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async issue(userId: string, tokenVersion: number): Promise<{ token: string; expiresAt: Date }> {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    await this.redis.set(redisKey(token), `${tokenVersion}:${userId}`, 'EX', ADMIN_TOKEN_TTL_SECONDS);
    return { token, expiresAt: new Date(Date.now() + ADMIN_TOKEN_TTL_SECONDS * 1000) };
  }

  /** Whom a token was issued to, or null for anything unknown or expired. */
  async claimOf(token: string): Promise<AdminTokenClaim | null> {
    if (!TOKEN_SHAPE.test(token)) return null;
    const stored = await this.redis.get(redisKey(token));
    // Tokens stored before versions existed hold a bare user id: they were issued under version 0.
    const m = stored === null ? null : /^(\d+):(.+)$/.exec(stored);
    if (m) return { userId: m[2], tokenVersion: Number(m[1]) };
    return stored === null ? null : { userId: stored, tokenVersion: 0 };
  }
}
