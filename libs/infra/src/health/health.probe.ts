import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { PrismaService } from '../prisma/prisma.service';
import { REDIS } from '../tokens';

export interface ReadinessReport {
  status: 'ok' | 'unavailable';
  checks: { postgres: 'ok' | string; redis: 'ok' | string };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref())]);
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
      withTimeout(this.prisma.$queryRaw`SELECT 1`, 2000).then(() => 'ok' as const, (e: Error) => e.message),
      withTimeout(this.redis.ping(), 2000).then(() => 'ok' as const, (e: Error) => e.message),
    ]);
    return { status: postgres === 'ok' && redis === 'ok' ? 'ok' : 'unavailable', checks: { postgres, redis } };
  }
}
