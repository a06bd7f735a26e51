// The fault suite's summary table (cases run, passed, failed, skipped, data lost per area), printed by
// `npm run test:faults` and `npm test`. Cases come from two sources merged here: the JSON lines that
// `test/faults/fault-report.ts` appends (area, data lost, detail) and Jest's own results for `test/faults/` (the
// verdict, including cases that never reached their body because a hook failed or a suite did not compile).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, sep } from 'node:path';

export const FAULT_AREAS = ['upstream', 'platform', 'attack'];
const FAULTS_DIR = `${sep}test${sep}faults${sep}`;

/**
 * A fresh, empty report directory for one run, under `parent` (the runners export it as LLMP_FAULTS_REPORT_DIR).
 * One per run, so two runs in one checkout never mix or wipe each other's lines.
 */
export function freshReportDir(parent = tmpdir()) {
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, 'run-'));
}

/** Removes a run's report directory once its table is printed (kept when the run failed, for a look). */
export function removeReportDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/** Every case line in `dir` (unparseable lines count as a failed case, never silently dropped). */
export function readFaultRecords(dir) {
  const records = [];
  let files = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  } catch {
    return records;
  }
  for (const f of files.sort()) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        records.push(JSON.parse(line));
      } catch {
        records.push({ area: 'other', name: `unreadable report line in ${f}`, status: 'failed', dataLost: 0 });
      }
    }
  }
  return records;
}

const JEST_STATUS = { passed: 'passed', failed: 'failed', pending: 'skipped', skipped: 'skipped', todo: 'skipped', disabled: 'skipped', focused: 'passed' };

/** A case's area: its `[area]` tag, else a leading `area:` in its describe, else the file name (`platform-*.e2e-spec.ts`). */
function areaOf(title, file, fullName = '') {
  const tag = /^\[(\w+)\]/.exec(title ?? '')?.[1] ?? /^\[?(\w+)[\]:]/.exec(fullName)?.[1];
  if (FAULT_AREAS.includes(tag)) return tag;
  const stem = basename(file ?? '').split(/[.-]/)[0];
  return FAULT_AREAS.includes(stem) ? stem : 'other';
}

/**
 * Merges report lines with Jest's JSON results (optional) into cases and per-area totals.
 * @returns {{ cases: object[], rows: { area: string, run: number, passed: number, failed: number, skipped: number, dataLost: number }[], total: object }}
 */
export function summarizeFaults({ dir, jestResults = null }) {
  const records = readFaultRecords(dir);
  const byTest = new Map();
  for (const r of records) {
    const key = `${r.file ?? ''}::${r.test ?? ''}`;
    if (!byTest.has(key)) byTest.set(key, []);
    byTest.get(key).push(r);
  }
  const cases = [];
  const matched = new Set();
  for (const file of jestResults?.testResults ?? []) {
    if (!file.name.includes(FAULTS_DIR)) continue;
    const assertions = file.assertionResults ?? [];
    if (assertions.length === 0 && file.status === 'failed') {
      cases.push({ area: areaOf('', file.name), name: `${basename(file.name)}: suite failed to run`, status: 'failed', dataLost: 0 });
      continue;
    }
    for (const a of assertions) {
      const key = `${file.name}::${a.fullName}`;
      const status = JEST_STATUS[a.status] ?? 'failed';
      const lines = byTest.get(key);
      if (lines) {
        matched.add(key);
        for (const r of lines) cases.push({ ...r, status: status === 'passed' && r.status === 'failed' ? 'failed' : status });
      } else if (status === 'passed' && /^\[\w+\]/.test(a.title)) {
        // A faultCase always writes its line before passing: without it, its data-loss count is unknown.
        cases.push({ area: areaOf(a.title, file.name), name: a.title.replace(/^\[\w+\]\s*/, ''), status: 'failed', dataLost: 0, detail: 'passed in Jest but its report line is missing', file: file.name });
      } else {
        cases.push({ area: areaOf(a.title, file.name, a.fullName), name: a.title.replace(/^\[\w+\]\s*/, ''), status, dataLost: 0, file: file.name });
      }
    }
  }
  // Lines Jest did not report (no results file, or a case recorded outside test/faults) count as written.
  for (const [key, lines] of byTest) if (!matched.has(key)) cases.push(...lines);

  const areas = [...FAULT_AREAS, ...new Set(cases.map((c) => c.area).filter((a) => !FAULT_AREAS.includes(a)))];
  const rows = areas.map((area) => {
    const of = cases.filter((c) => c.area === area);
    return {
      area,
      run: of.filter((c) => c.status !== 'skipped').length,
      passed: of.filter((c) => c.status === 'passed').length,
      failed: of.filter((c) => c.status === 'failed').length,
      skipped: of.filter((c) => c.status === 'skipped').length,
      dataLost: of.reduce((n, c) => n + (Number(c.dataLost) || 0), 0),
    };
  });
  const total = rows.reduce(
    (t, r) => ({ area: 'total', run: t.run + r.run, passed: t.passed + r.passed, failed: t.failed + r.failed, skipped: t.skipped + r.skipped, dataLost: t.dataLost + r.dataLost }),
    { area: 'total', run: 0, passed: 0, failed: 0, skipped: 0, dataLost: 0 },
  );
  return { cases, rows, total };
}

/** Prints the table, then every case that failed, was skipped or lost data. */
export function printFaultSummary({ rows, total, cases }, log = console.log) {
  const head = ['area', 'run', 'passed', 'failed', 'skipped', 'data lost'];
  const body = [...rows, total].map((r) => [r.area, r.run, r.passed, r.failed, r.skipped, r.dataLost].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const fmt = (cells) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  log('\nFault suite (test/faults): cases run, passed, failed, skipped, and records lost (must be 0)');
  log(fmt(head));
  log(rule);
  body.forEach((b, i) => {
    if (i === body.length - 1) log(rule);
    log(fmt(b));
  });
  for (const c of cases) {
    if (c.status === 'passed' && !(c.dataLost > 0)) continue;
    const why = c.dataLost > 0 ? `${c.status}, ${c.dataLost} lost` : c.status;
    log(`  ${why.toUpperCase()}: [${c.area}] ${c.name}${c.detail ? ` (${c.detail})` : ''}`);
  }
}

/**
 * Why the run must fail, or null. `strict` (the fault runner) also fails on failed, skipped or zero cases;
 * `subset` (the caller filtered the cases on purpose) lets skipped ones pass.
 */
export function faultVerdict({ total }, { strict, subset = false }) {
  if (total.dataLost > 0) return `${total.dataLost} record(s) lost in the fault suite`;
  if (!strict) return null;
  if (total.failed > 0) return `${total.failed} fault case(s) failed`;
  if (total.skipped > 0 && !subset) return `${total.skipped} fault case(s) skipped; every case must run`;
  if (total.run === 0) return 'no fault cases ran';
  return null;
}
