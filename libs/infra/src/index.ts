export * from './config/env.config';
export * from './config/gateway-config.loader';
export * from './config/demo-config';
export * from './infra.module';
export * from './prisma/prisma.service';
export * from './redis/redis.factory';
export * from './tokens';
export * from './outbox/outbox.repository';
