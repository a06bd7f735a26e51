import { appendFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { scanRun } from './canary';

/** Drops the run's database and deletes every Redis key under the run's prefix (BullMQ's included). */
export default async function globalTeardown(): Promise<void> {
  const leaks = await scanRunForCanaries();
  await printFaultsOfBareRun();
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
  const runTmp = process.env.LLMP_TEST_TMPDIR;
  if (runTmp) rmSync(runTmp, { recursive: true, force: true });
  if (leaks) throw new Error(leaks);
}

/**
 * The run-wide canary scan, once every spec is done and before the run's database and Redis keys are dropped: every
 * canary secret a spec registered (master keys, issued keys, upstream credentials) against every captured process
 * output, every row of the run's database and every Redis key, value and job under the run's prefix. It joins the
 * fault table as an attack case; a hit fails the run (after cleanup). Returns the failure message, or null.
 */
async function scanRunForCanaries(): Promise<string | null> {
  const dir = process.env.LLMP_FAULTS_REPORT_DIR;
  // Only runs whose specs registered canaries (the fault suite) have something to scan for.
  if (!dir || !existsSync(join(dir, 'canaries'))) return null;
  const { canaries, outputs, hits } = await scanRun();
  const where = [...new Set(hits.map((h) => h.where))].slice(0, 20);
  console.log(`\nRun-wide canary scan: ${canaries} canary secrets, ${outputs} process outputs, the run's database and Redis prefix: ${hits.length} hits`);
  appendFileSync(
    join(dir, 'cases-run-wide-canary-scan.jsonl'),
    `${JSON.stringify({
      area: 'attack',
      name: `canary secrets across the whole run (${canaries} canaries; ${outputs} process outputs, every database row, every Redis key and job)`,
      status: hits.length ? 'failed' : 'passed',
      dataLost: 0,
      ...(hits.length ? { detail: `${hits.length} hits: ${where.join(', ')}` } : {}),
    })}\n`,
  );
  return hits.length ? `canary secrets leaked (${hits.length} hits): ${hits.slice(0, 10).map((h) => `${h.where}: ${h.excerpt}`).join('; ')}` : null;
}

interface FaultSummaryModule {
  summarizeFaults(o: { dir: string }): { cases: unknown[] };
  printFaultSummary(s: { cases: unknown[] }): void;
}

/**
 * A bare `npx jest` run (no runner script) still shows the fault table when fault cases ran; its report directory
 * was a temporary one from global setup. Native import: the summary module is plain ESM shared with the runners.
 */
async function printFaultsOfBareRun(): Promise<void> {
  const dir = process.env.LLMP_FAULTS_REPORT_DIR;
  if (!dir || process.env.LLMP_FAULTS_REPORT_TEMP !== '1') return;
  const load = new Function('u', 'return import(u)') as (u: string) => Promise<FaultSummaryModule>;
  const summary = await load(pathToFileURL(join(__dirname, '..', '..', 'scripts', 'fault-summary.mjs')).href);
  const faults = summary.summarizeFaults({ dir });
  if (faults.cases.length > 0) summary.printFaultSummary(faults);
  rmSync(dir, { recursive: true, force: true });
}
