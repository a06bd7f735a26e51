import { Redis } from 'ioredis';
import pg from 'pg';

/** Drops the run's database and deletes every Redis key under the run's prefix (BullMQ's included). */
export default async function globalTeardown(): Promise<void> {
  const database = process.env.LLMP_TEST_DATABASE;
  const prefix = process.env.LLMP_REDIS_PREFIX;
  if (prefix) {
    const redis = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
  }
  if (database && process.env.LLMP_KEEP_TEST_DB !== '1') {
    const admin = new pg.Client({ connectionString: process.env.LLMP_TEST_ADMIN_PG_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
  }
}
