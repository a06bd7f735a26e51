import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { withTimeout } from '../async/with-timeout';
import { PrismaService } from '../prisma/prisma.service';
import { REDIS } from '../tokens';

export interface ReadinessReport {
  status: 'ok' | 'unavailable';
  checks: { postgres: 'ok' | string; redis: 'ok' | string };
}

/** Readiness of the backing services, for `/health/ready` on both planes. */
@Injectable()
export class HealthProbe {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async readiness(): Promise<ReadinessReport> {
    const [postgres, redis] = await Promise.all([
      withTimeout(this.prisma.$queryRaw`SELECT 1`, 2000, 'postgres check').then(() => 'ok' as const, (e: Error) => e.message),
      withTimeout(this.redis.ping(), 2000, 'redis ping').then(() => 'ok' as const, (e: Error) => e.message),
    ]);
    return { status: postgres === 'ok' && redis === 'ok' ? 'ok' : 'unavailable', checks: { postgres, redis } };
  }
}
