import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A database of its own for a test file that changes global state on purpose (tampering with the audit chain,
 * pruning it): other files of the same run share the run's database and must not see that. Points DATABASE_URL at
 * it; call the returned function in afterAll to drop it and restore DATABASE_URL.
 */
export async function useIsolatedDatabase(): Promise<() => Promise<void>> {
  const previous = process.env.DATABASE_URL!;
  const url = new URL(previous);
  const name = `${url.pathname.slice(1)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: process.env.LLMP_TEST_ADMIN_PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  url.pathname = `/${name}`;
  process.env.DATABASE_URL = url.toString();
  execFileSync('npx', ['prisma', 'migrate', 'deploy'], { env: process.env, stdio: 'pipe' });
  return async () => {
    process.env.DATABASE_URL = previous;
    const c = new pg.Client({ connectionString: process.env.LLMP_TEST_ADMIN_PG_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.end();
  };
}
