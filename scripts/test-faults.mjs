#!/usr/bin/env node
// `npm run test:faults`: only the fault and attack suite (test/faults), real processes against the real Postgres and
// Redis, then the summary table. Fails when any case failed or was skipped, when none ran, and when any record
// (ledger row, audit event) was lost. Extra arguments go to Jest after `test/faults` (e.g. `-t redirect`; a path
// given here widens the run rather than narrowing it). With arguments, skipped cases do not fail the run.
import { join } from 'node:path';
import { faultVerdict, freshReportDir, printFaultSummary, removeReportDir, summarizeFaults } from './fault-summary.mjs';
import { prepareTestRun, root, runJest } from './lib/test-run.mjs';

await prepareTestRun('llmp test:faults');
const faultsDir = freshReportDir(join(root, '.llmp', 'faults'));
process.env.LLMP_FAULTS_REPORT_DIR = faultsDir;

const { status, results } = runJest(['test/faults', ...process.argv.slice(2)], join(faultsDir, 'jest-results.json'));
if (!results) console.error('[llmp test:faults] jest produced no results; the table shows only what the cases recorded');
const summary = summarizeFaults({ dir: faultsDir, jestResults: results });
printFaultSummary(summary);
const verdict = faultVerdict(summary, { strict: true, subset: process.argv.length > 2 }) ?? (status ? `jest exited with status ${status}` : null);
if (verdict) {
  console.error(`[llmp test:faults] ${verdict} (report lines and Jest results kept in ${faultsDir})`);
  process.exit(1);
}
removeReportDir(faultsDir);
