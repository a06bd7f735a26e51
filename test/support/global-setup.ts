import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * One database and one Redis key prefix per test run, so runs never collide; torn down in global-teardown.
 * Fails loudly (never skips) when Postgres or Redis is unreachable.
 */
export default async function globalSetup(): Promise<void> {
  const run = randomBytes(4).toString('hex');
  const adminUrl = process.env.LLMP_TEST_PG_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const database = `llmp_test_${run}`;

  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (e) {
    throw new Error(`Tests need PostgreSQL at ${adminUrl} and could not connect: ${(e as Error).message}`);
  }
  await admin.query(`CREATE DATABASE "${database}"`);
  await admin.end();

  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    throw new Error(`Tests need Redis at ${redisUrl} and could not connect: ${(e as Error).message}`);
  } finally {
    redis.disconnect();
  }

  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  process.env.DATABASE_URL = url.toString();
  process.env.REDIS_URL = redisUrl;
  process.env.LLMP_REDIS_PREFIX = `llmp_test_${run}:`;
  process.env.LLMP_TEST_DATABASE = database;
  process.env.LLMP_TEST_ADMIN_PG_URL = adminUrl;
  // Every temporary directory of the run (configs, data dirs, private clusters, browser profiles; in test workers and
  // in the processes they spawn) lands under one directory that global teardown removes. Traversable (0755) so a
  // private Postgres cluster can run as the postgres user below it.
  const runTmp = mkdtempSync(join(tmpdir(), 'llmp-run-'));
  chmodSync(runTmp, 0o755);
  process.env.LLMP_TEST_TMPDIR = runTmp;
  process.env.TMPDIR = runTmp;
  // Fault cases (test/faults/fault-report.ts) append here; the runners set it, a bare `npx jest` gets a temporary one.
  if (!process.env.LLMP_FAULTS_REPORT_DIR) {
    process.env.LLMP_FAULTS_REPORT_DIR = mkdtempSync(join(tmpdir(), 'llmp-faults-'));
    process.env.LLMP_FAULTS_REPORT_TEMP = '1';
  }
  execFileSync('npx', ['prisma', 'migrate', 'deploy'], { env: process.env, stdio: 'pipe' });
}
