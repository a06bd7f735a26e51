import { Global, Logger, Module, type OnApplicationShutdown, Inject } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { GatewayConfig } from '@llmp/common';
import { ConfigStore } from './config/config-store';
import { loadEnv, type EnvConfig } from './config/env.config';
import { loadGatewayConfig } from './config/gateway-config.loader';
import { HealthProbe } from './health/health.probe';
import { AccessLog } from './logging/access-log';
import { InflightTracker } from './lifecycle/inflight-tracker';
import { MetricsModule } from './metrics/metrics.module';
import { OutboxRepository } from './outbox/outbox.repository';
import { PrismaService } from './prisma/prisma.service';
import { createRedis } from './redis/redis.factory';
import { GatewayTracing } from './tracing/gateway-tracing';
import { ENV_CONFIG, GATEWAY_CONFIG, REDIS, REDIS_SUBSCRIBER, REPORTS_PRISMA } from './tokens';

/** Config, Postgres and Redis for every app. Config is read and validated once, here. */
@Global()
@Module({
  imports: [MetricsModule],
  providers: [
    InflightTracker,
    { provide: ENV_CONFIG, useFactory: () => loadEnv() },
    { provide: GATEWAY_CONFIG, useFactory: (env: EnvConfig) => loadGatewayConfig(env.configPath), inject: [ENV_CONFIG] },
    {
      provide: ConfigStore,
      useFactory: (env: EnvConfig, config: GatewayConfig, redis: Redis, subscriber: Redis) =>
        new ConfigStore(env, config, subscriber, redis),
      inject: [ENV_CONFIG, GATEWAY_CONFIG, REDIS, REDIS_SUBSCRIBER],
    },
    PrismaService,
    {
      provide: REPORTS_PRISMA,
      // Prisma connects lazily, so a data plane (which never reports) opens no replica connection.
      useFactory: (env: EnvConfig, primary: PrismaService) =>
        env.reportsDatabaseUrl === env.databaseUrl ? primary : new PrismaService({ ...env, databaseUrl: env.reportsDatabaseUrl }),
      inject: [ENV_CONFIG, PrismaService],
    },
    OutboxRepository,
    HealthProbe,
    AccessLog,
    GatewayTracing,
    {
      provide: REDIS,
      useFactory: (env: EnvConfig) => createRedis(env.redisUrl, { keyPrefix: env.redisPrefix }),
      inject: [ENV_CONFIG],
    },
    {
      provide: REDIS_SUBSCRIBER,
      useFactory: (env: EnvConfig) => createRedis(env.redisUrl, { maxRetriesPerRequest: null }),
      inject: [ENV_CONFIG],
    },
  ],
  exports: [MetricsModule, InflightTracker, ENV_CONFIG, GATEWAY_CONFIG, ConfigStore, PrismaService, REPORTS_PRISMA, OutboxRepository, HealthProbe, AccessLog, GatewayTracing, REDIS, REDIS_SUBSCRIBER],
})
export class InfraModule implements OnApplicationShutdown {
  private readonly logger = new Logger(InfraModule.name);

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    for (const client of [this.redis, this.subscriber]) {
      try {
        await client.quit();
      } catch (e) {
        this.logger.warn(`redis quit failed: ${(e as Error).message}`);
        client.disconnect();
      }
    }
  }
}
