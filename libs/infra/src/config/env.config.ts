import { join } from 'node:path';

/** Process settings from the environment, read once at boot. Fields marked secret are never logged. */
export interface EnvConfig {
  databaseUrl: string;
  /** LLMP_REPORTS_DATABASE_URL: a read replica for finance reports (usage reports and raw records); else databaseUrl. */
  reportsDatabaseUrl: string;
  redisUrl: string;
  /** Prefix of every Redis key and channel llmp writes. */
  redisPrefix: string;
  /** Explicit config path (LLMP_CONFIG); undefined means ./llmp.config.yaml or the built-in demo. */
  configPath: string | undefined;
  /** secret */
  masterKey: string | undefined;
  apiPort: number;
  /** Interface both planes bind to (LLMP_HOST). */
  host: string;
  adminPort: number;
  /** Where llmp keeps local state such as the generated master key. */
  dataDir: string;
  logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
  /** LLMP_MASTER_KEY_DISABLED=1: the master key is no longer accepted as a credential (admin users only). */
  masterKeyDisabled: boolean;
  /** Longest a replica waits for in-flight requests and streams on SIGTERM (LLMP_SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs: number;
  /** Longest a client may take to send a whole request, headers and body (LLMP_REQUEST_TIMEOUT_MS); not the response. */
  requestTimeoutMs: number;
  /** LLMP_LOG_FORMAT: `json` (one JSON object a line) or `pretty` (for a terminal); default json unless stdout is a TTY. */
  logFormat: 'json' | 'pretty';
  /** LLMP_ACCESS_LOG (default true): one access line per `/v1` request, independent of LLMP_LOG_LEVEL. */
  accessLog: boolean;
  /** LLMP_OTEL_ENABLED (default false): OpenTelemetry spans through `@opentelemetry/api`; no SDK is bundled. */
  otelEnabled: boolean;
  /**
   * LLMP_EVENT_FLUSH_MS (default 100): longest a data plane holds usage and audit events in memory before they leave
   * in one batch. SIGTERM flushes them; a replica killed outright loses at most this window.
   */
  eventFlushMs: number;
}

const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;

function positiveMs(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive number of milliseconds, got "${raw}"`);
  return n;
}

function port(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return n;
}

function flag(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  const v = raw.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

export function loadEnv(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  const logLevel = (env.LLMP_LOG_LEVEL ?? 'log') as EnvConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) throw new Error(`LLMP_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const logFormat = (env.LLMP_LOG_FORMAT || (process.stdout.isTTY ? 'pretty' : 'json')) as EnvConfig['logFormat'];
  if (logFormat !== 'json' && logFormat !== 'pretty') throw new Error('LLMP_LOG_FORMAT must be json or pretty');
  return {
    databaseUrl: env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/llmp',
    reportsDatabaseUrl: env.LLMP_REPORTS_DATABASE_URL || env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/llmp',
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
    redisPrefix: env.LLMP_REDIS_PREFIX ?? 'llmp:',
    configPath: env.LLMP_CONFIG || undefined,
    masterKey: env.LLMP_MASTER_KEY || undefined,
    apiPort: port('LLMP_API_PORT', env.LLMP_API_PORT, 8000),
    host: env.LLMP_HOST || '0.0.0.0',
    adminPort: port('LLMP_ADMIN_PORT', env.LLMP_ADMIN_PORT, 8001),
    dataDir: env.LLMP_DATA_DIR || join(process.cwd(), '.llmp'),
    logLevel,
    masterKeyDisabled: ['1', 'true', 'yes'].includes((env.LLMP_MASTER_KEY_DISABLED ?? '').toLowerCase()),
    shutdownTimeoutMs: positiveMs('LLMP_SHUTDOWN_TIMEOUT_MS', env.LLMP_SHUTDOWN_TIMEOUT_MS, 30_000),
    requestTimeoutMs: positiveMs('LLMP_REQUEST_TIMEOUT_MS', env.LLMP_REQUEST_TIMEOUT_MS, 30_000),
    logFormat,
    accessLog: flag('LLMP_ACCESS_LOG', env.LLMP_ACCESS_LOG, true),
    otelEnabled: flag('LLMP_OTEL_ENABLED', env.LLMP_OTEL_ENABLED, false),
    eventFlushMs: positiveMs('LLMP_EVENT_FLUSH_MS', env.LLMP_EVENT_FLUSH_MS, 100),
  };
}

/** Nest logger levels up to and including the configured one. */
export function nestLogLevels(level: EnvConfig['logLevel']): EnvConfig['logLevel'][] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}
