import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '@llmp/infra';

/** Queued jobs are the only copy of an event until a worker writes it; an evicting Redis would lose them silently. */
@Injectable()
export class RedisMemoryPolicyCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger(RedisMemoryPolicyCheck.name);

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.check();
  }

  /** Returns the policy, or null when Redis does not allow reading it (managed services often disable CONFIG). */
  async check(): Promise<string | null> {
    let policy: string | null = null;
    try {
      const reply = (await this.redis.config('GET', 'maxmemory-policy')) as unknown as string[];
      policy = reply?.[1] ?? null;
    } catch (e) {
      this.logger.warn(`could not read Redis maxmemory-policy (${(e as Error).message}); make sure it is "noeviction"`);
      return null;
    }
    if (policy !== 'noeviction') {
      this.logger.error(
        `!!! Redis maxmemory-policy is "${policy}": queued usage and audit jobs can be EVICTED and lost. ` +
          'Set "maxmemory-policy noeviction" on this Redis. !!!',
      );
    }
    return policy;
  }
}
