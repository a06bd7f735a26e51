// Shared by `npm start` and `npm test`: find Postgres and Redis, say clearly what is missing, create the database,
// apply migrations. Plain Node (no build step) so it works on a fresh clone.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/llmp';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

const HOW_TO_START = `
  Start one of:
    - this machine's services:  pg_ctlcluster $(ls /etc/postgresql) main start   /   redis-server --daemonize yes
    - containers:               docker compose -f docker/compose.yml up -d postgres redis
  or point DATABASE_URL / REDIS_URL at running servers.`;

function redact(url) {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

export async function ensurePostgres(databaseUrl) {
  const pg = require('pg');
  const target = new URL(databaseUrl);
  const database = decodeURIComponent(target.pathname.slice(1)) || 'llmp';
  const maintenance = new URL(databaseUrl);
  maintenance.pathname = '/postgres';
  const client = new pg.Client({ connectionString: maintenance.toString(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (e) {
    throw new Error(`PostgreSQL is not reachable at ${redact(maintenance.toString())}: ${e.message}${HOW_TO_START}`);
  }
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
      console.log(`[llmp] created database "${database}"`);
    }
  } finally {
    await client.end();
  }
}

export async function ensureRedis(redisUrl) {
  const { Redis } = require('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3000, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    const [, policy] = await redis.config('GET', 'maxmemory-policy').catch(() => [null, 'unknown']);
    if (policy && policy !== 'noeviction' && policy !== 'unknown') {
      console.warn(`[llmp] WARNING: Redis maxmemory-policy is "${policy}"; queues need "noeviction" or jobs can be evicted.`);
    }
  } catch (e) {
    throw new Error(`Redis is not reachable at ${redact(redisUrl)}: ${e.message}${HOW_TO_START}`);
  } finally {
    redis.disconnect();
  }
}

export function migrate(databaseUrl, cwd) {
  execFileSync(process.execPath, [require.resolve('prisma/build/index.js'), 'migrate', 'deploy'], {
    cwd,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
