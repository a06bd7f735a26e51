#!/usr/bin/env node
// `npm test`: the whole suite (unit, integration, e2e) against the real Postgres and Redis. Fails loudly when a
// service is missing and when any test is skipped; builds first because some tests run the built processes. Prints
// the fault suite's table (test/faults runs as part of e2e) and fails when any record was lost.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { faultVerdict, freshReportDir, printFaultSummary, removeReportDir, summarizeFaults } from './fault-summary.mjs';
import { prepareTestRun, root, runJest } from './lib/test-run.mjs';

await prepareTestRun('llmp test');
const faultsDir = freshReportDir(join(root, '.llmp', 'faults'));
process.env.LLMP_FAULTS_REPORT_DIR = faultsDir;

const { status: jestStatus, results } = runJest(process.argv.slice(2), join(root, '.llmp', 'jest-results.json'));
if (!results) {
  console.error('[llmp test] jest produced no results');
  process.exit(jestStatus || 1);
}
const faults = summarizeFaults({ dir: faultsDir, jestResults: results });
removeReportDir(faultsDir);

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

printFaultSummary(faults);
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
const lost = faultVerdict(faults, { strict: false });
if (lost) {
  console.error(`[llmp test] ${lost}`);
  process.exit(1);
}
process.exit(jestStatus || (ui.status ?? 1));
