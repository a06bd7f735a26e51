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

/** Short-lived bearer tokens for admin users: random, stored in Redis by hash with a TTL. */
@Injectable()
export class AdminTokenService {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async issue(userId: string): Promise<{ token: string; expiresAt: Date }> {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    await this.redis.set(redisKey(token), userId, 'EX', ADMIN_TOKEN_TTL_SECONDS);
    return { token, expiresAt: new Date(Date.now() + ADMIN_TOKEN_TTL_SECONDS * 1000) };
  }

  /** The user id a token belongs to, or null for anything unknown or expired. */
  async userIdOf(token: string): Promise<string | null> {
    if (!TOKEN_SHAPE.test(token)) return null;
    return this.redis.get(redisKey(token));
  }
}
