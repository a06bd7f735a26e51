import { Redis, type RedisOptions } from 'ioredis';

/**
 * Builds an ioredis client from REDIS_URL (its `/N` db index included). `keyPrefix` is applied by ioredis to every
 * key argument, Lua KEYS included; BullMQ gets its own connection without it because BullMQ forbids keyPrefix.
 */
export function createRedis(url: string, opts: RedisOptions = {}): Redis {
  return new Redis(url, {
    lazyConnect: false,
    enableAutoPipelining: true,
    // Hot path commands must fail fast when Redis is away instead of queueing forever.
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...opts,
  });
}

/** Connection options for BullMQ (workers need maxRetriesPerRequest: null). */
export function bullConnection(url: string): RedisOptions & { url?: string } {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}
