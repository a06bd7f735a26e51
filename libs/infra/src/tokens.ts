/** Injection tokens of the infrastructure module. */
export const ENV_CONFIG = Symbol('ENV_CONFIG');
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
/**
 * The Prisma client finance reports read through: a read replica when LLMP_REPORTS_DATABASE_URL is set, else the
 * primary's own client (no second pool).
 */
export const REPORTS_PRISMA = Symbol('REPORTS_PRISMA');
/** ioredis client for commands; every key is prefixed with LLMP_REDIS_PREFIX. */
export const REDIS = Symbol('REDIS');
/** ioredis client in subscriber mode. */
export const REDIS_SUBSCRIBER = Symbol('REDIS_SUBSCRIBER');
