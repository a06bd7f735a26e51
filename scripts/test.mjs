#!/usr/bin/env node
// `npm test`: the whole suite (unit, integration, e2e) against the real Postgres and Redis. Fails loudly when a
// service is missing and when any test is skipped; builds first because some tests run the built processes.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, ensurePostgres, ensureRedis } from './lib/services.mjs';
import { buildIfStale } from './start.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.env.REDIS_URL ||= DEFAULT_REDIS_URL;
const pgUrl = new URL(process.env.DATABASE_URL || DEFAULT_DATABASE_URL);
pgUrl.pathname = '/postgres';
process.env.LLMP_TEST_PG_URL ||= pgUrl.toString();

try {
  await ensurePostgres(process.env.LLMP_TEST_PG_URL);
  await ensureRedis(process.env.REDIS_URL);
} catch (e) {
  console.error(`[llmp test] the test suite needs PostgreSQL and Redis and will not skip: ${e.message}`);
  process.exit(1);
}

execFileSync(process.execPath, [require.resolve('prisma/build/index.js'), 'generate'], { cwd: root, stdio: 'pipe' });
buildIfStale();

mkdirSync(join(root, '.llmp'), { recursive: true });
const resultsFile = join(root, '.llmp', 'jest-results.json');
const jest = spawnSync(
  process.execPath,
  [require.resolve('jest/bin/jest'), '--ci', '--json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit', env: process.env },
);

let results;
try {
  results = JSON.parse(readFileSync(resultsFile, 'utf8'));
} catch {
  console.error('[llmp test] jest produced no results');
  process.exit(jest.status || 1);
}
// The console's component tests run under vitest (browser-like DOM); their counts join the closing line.
rmSync(join(root, '.llmp', 'vitest-results.json'), { force: true });
const ui = spawnSync(
  process.execPath,
  [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--root', join(root, 'apps/admin/src/ui'), '--reporter=default', '--reporter=json', `--outputFile.json=${join(root, '.llmp', 'vitest-results.json')}`],
  { cwd: root, stdio: 'inherit', env: process.env },
);
let uiResults = { numPassedTests: 0, numFailedTests: ui.status === 0 ? 0 : 1, numPendingTests: 0, numTodoTests: 0 };
try {
  uiResults = JSON.parse(readFileSync(join(root, '.llmp', 'vitest-results.json'), 'utf8'));
} catch {
  console.error('[llmp test] vitest produced no results');
}
for (const k of ['numPassedTests', 'numFailedTests', 'numPendingTests', 'numTodoTests', 'numTotalTests']) results[k] += uiResults[k] ?? 0;

const skipped = results.numPendingTests + results.numTodoTests;
console.log(`\n${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped`);
if (skipped > 0) {
  console.error('[llmp test] tests were skipped; every test must run');
  process.exit(1);
}
if (results.numTotalTests === 0) {
  console.error('[llmp test] no tests ran');
  process.exit(1);
}
process.exit(jest.status || (ui.status ?? 1));
