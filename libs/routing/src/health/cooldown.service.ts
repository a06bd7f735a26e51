import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { GatewayConfig } from '@llmp/common';
import { ENV_CONFIG, GATEWAY_CONFIG, REDIS, REDIS_SUBSCRIBER, type EnvConfig, withTimeout } from '@llmp/infra';
import { CooldownTracker, type CooldownEntry } from './cooldown-tracker';

/** What replicas tell each other when a target starts cooling down. */
interface CooldownMessage {
  provider: string;
  model: string;
  /** Remaining cooldown in ms; relative so replica clock skew does not matter. */
  ms: number;
}

const KEY_PREFIX = 'cooldown:';
const BOOT_LOAD_TIMEOUT_MS = 2_000;

/**
 * Target health shared by all data-plane replicas. Requests only ever read the in-process tracker; Redis is written
 * when a target starts cooling down (a key with a TTL, for replicas that boot later, and a pub/sub message, for those
 * running now). Redis trouble never fails a request: it is logged once per incident and cooldowns stay local.
 */
@Injectable()
export class CooldownService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(CooldownService.name);
  private readonly tracker: CooldownTracker;
  private readonly channel: string;
  private redisDown = false;
  /** Cooldowns this replica started, per provider (a running total for `/metrics`). */
  private readonly started = new Map<string, number>();
  private readonly onMessage = (channel: string, message: string): void => {
    if (channel === this.channel) this.receive(message);
  };

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    @Inject(ENV_CONFIG) private readonly env: EnvConfig,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis,
  ) {
    this.tracker = new CooldownTracker(config.routing.cooldownAfterFailures, config.routing.cooldownMs);
    // Pub/sub channels are not covered by ioredis' keyPrefix, so the install prefix is added here.
    this.channel = `${env.redisPrefix}routing:cooldown`;
  }

  async onModuleInit(): Promise<void> {
    this.subscriber.on('message', this.onMessage);
    const work = Promise.all([this.subscriber.subscribe(this.channel), this.loadExisting()]).catch((e: unknown) =>
      this.redisFailed('loading cooldowns at boot', e),
    );
    // A slow or absent Redis must not hold up boot; local cooldowns work without it.
    await withTimeout(work, BOOT_LOAD_TIMEOUT_MS, 'loading cooldowns').catch(() => undefined);
  }

  async onModuleDestroy(): Promise<void> {
    this.subscriber.off('message', this.onMessage);
    try {
      if (this.subscriber.status === 'ready') await this.subscriber.unsubscribe(this.channel);
    } catch {
      // Shutting down: the connection is about to close anyway.
    }
  }

  /** Epoch ms until which the target is skipped, or 0. No I/O. */
  coolingUntil(provider: string, model: string, now: number): number {
    return this.tracker.coolingUntil(provider, model, now);
  }

  recordSuccess(provider: string, model: string): void {
    this.tracker.success(provider, model);
  }

  recordFailure(provider: string, model: string): void {
    const now = Date.now();
    const until = this.tracker.failure(provider, model, now);
    if (until) {
      this.started.set(provider, (this.started.get(provider) ?? 0) + 1);
      void this.broadcast({ provider, model, ms: until - now });
    }
  }

  /** Cooldowns started here since boot, by provider. */
  cooldownsStarted(): ReadonlyMap<string, number> {
    return this.started;
  }

  /** Targets cooling down right now (for the admin console). */
  cooldowns(): CooldownEntry[] {
    return this.tracker.list(Date.now());
  }

  private async broadcast(msg: CooldownMessage): Promise<void> {
    try {
      const payload = JSON.stringify(msg);
      await Promise.all([
        this.redis.set(this.key(msg.provider, msg.model), payload, 'PX', msg.ms),
        this.redis.publish(this.channel, payload),
      ]);
      this.redisBack();
    } catch (e) {
      this.redisFailed('sharing a cooldown', e);
    }
  }

  private receive(raw: string): void {
    const msg = parseMessage(raw);
    if (!msg) return;
    const now = Date.now();
    this.tracker.apply(msg.provider, msg.model, now + msg.ms, now);
  }

  /** Reads cooldowns other replicas set before this one started. */
  private async loadExisting(): Promise<void> {
    const prefix = this.env.redisPrefix;
    // SCAN's MATCH is not rewritten by keyPrefix, so the pattern carries the prefix and results come back prefixed.
    const match = `${escapeGlob(prefix + KEY_PREFIX)}*`;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', match, 'COUNT', 200);
      cursor = next;
      if (keys.length) {
        const pipe = this.redis.pipeline();
        for (const k of keys) {
          const unprefixed = k.slice(prefix.length);
          pipe.get(unprefixed).pttl(unprefixed);
        }
        const replies = (await pipe.exec()) ?? [];
        const now = Date.now();
        for (let i = 0; i + 1 < replies.length; i += 2) {
          const [getErr, value] = replies[i];
          const [ttlErr, ttl] = replies[i + 1];
          if (getErr || ttlErr || typeof value !== 'string' || typeof ttl !== 'number' || ttl <= 0) continue;
          const msg = parseMessage(value);
          if (msg) this.tracker.apply(msg.provider, msg.model, now + ttl, now);
        }
      }
    } while (cursor !== '0');
    this.redisBack();
  }

  private key(provider: string, model: string): string {
    return `${KEY_PREFIX}${provider}:${model}`;
  }

  private redisFailed(what: string, e: unknown): void {
    if (this.redisDown) return;
    this.redisDown = true;
    this.logger.warn(`Redis unavailable while ${what}; cooldowns stay local to this replica: ${(e as Error)?.message}`);
  }

  private redisBack(): void {
    if (!this.redisDown) return;
    this.redisDown = false;
    this.logger.log('Redis reachable again; cooldowns are shared across replicas');
  }
}

function parseMessage(raw: string): CooldownMessage | null {
  try {
    const m = JSON.parse(raw) as Partial<CooldownMessage>;
    if (typeof m.provider === 'string' && typeof m.model === 'string' && typeof m.ms === 'number' && m.ms > 0) {
      return { provider: m.provider, model: m.model, ms: m.ms };
    }
  } catch {
    // A malformed message from some other writer on the channel is ignored.
  }
  return null;
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}
