import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS, withTimeout } from '@llmp/infra';
import type { HealthStatusDto } from './health-status.dto';
import { HealthRepository } from './health.repository';

const CHECK_TIMEOUT_MS = 2000;

@Injectable()
export class HealthService {
  constructor(
    private readonly db: HealthRepository,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async ready(): Promise<HealthStatusDto> {
    const [pg, redis] = await Promise.allSettled([withTimeout(this.db.ping(), CHECK_TIMEOUT_MS, 'postgres ping'), withTimeout(this.redis.ping(), CHECK_TIMEOUT_MS, 'redis ping')]);
    const checks = { postgres: pg.status === 'fulfilled' ? 'ok' : 'down', redis: redis.status === 'fulfilled' ? 'ok' : 'down' } as const;
    return { status: checks.postgres === 'ok' && checks.redis === 'ok' ? 'ok' : 'unavailable', checks };
  }
}
