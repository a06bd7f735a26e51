// What every test runner needs before Jest starts (`npm test`, `npm run test:faults`): the real Postgres and Redis
// (a missing service fails the run loudly, never skips), a generated Prisma client, and a fresh build because some
// tests run the built processes. Also runs Jest with a JSON results file the runners read afterwards.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfStale } from '../start.mjs';
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, ensurePostgres, ensureRedis } from './services.mjs';

const require = createRequire(import.meta.url);
export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function prepareTestRun(label) {
  process.env.REDIS_URL ||= DEFAULT_REDIS_URL;
  const pgUrl = new URL(process.env.DATABASE_URL || DEFAULT_DATABASE_URL);
  pgUrl.pathname = '/postgres';
  process.env.LLMP_TEST_PG_URL ||= pgUrl.toString();
  try {
    await ensurePostgres(process.env.LLMP_TEST_PG_URL);
    await ensureRedis(process.env.REDIS_URL);
  } catch (e) {
    console.error(`[${label}] the test suite needs PostgreSQL and Redis and will not skip: ${e.message}`);
    process.exit(1);
  }
  execFileSync(process.execPath, [require.resolve('prisma/build/index.js'), 'generate'], { cwd: root, stdio: 'pipe' });
  buildIfStale();
  mkdirSync(join(root, '.llmp'), { recursive: true });
}

/** Runs Jest with `args`; returns its exit status and parsed JSON results (null when Jest wrote none). */
export function runJest(args, resultsFile) {
  rmSync(resultsFile, { force: true });
  const jest = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--ci', '--json', `--outputFile=${resultsFile}`, ...args], {
    cwd: root,
    stdio: 'inherit',
    env: process.env,
  });
  let results = null;
  try {
    results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  } catch {
    // Reported by the caller.
  }
  return { status: jest.status, results };
}
