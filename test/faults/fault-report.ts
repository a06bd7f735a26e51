import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TimeoutError, withTimeout } from '@llmp/infra';

/**
 * The fault suite's ledger of cases. Every case appends one JSON line to the run's report directory
 * (`LLMP_FAULTS_REPORT_DIR`, set by `scripts/test-faults.mjs` / `scripts/test.mjs`, or by Jest's global setup for a
 * bare `npx jest` run); `scripts/fault-summary.mjs` merges those lines with Jest's own results into the summary table
 * (cases run, passed, failed, data lost per area). Jest's status wins over a line's, so a case whose assertion fails
 * after it was recorded still shows as failed, and a case that never ran (beforeAll failed) still shows up.
 */
export type FaultArea = 'upstream' | 'platform' | 'attack';

export const FAULT_AREAS: readonly FaultArea[] = ['upstream', 'platform', 'attack'];

/** One line of the report (the contract with `scripts/fault-summary.mjs`). */
export interface FaultCaseRecord {
  area: FaultArea;
  name: string;
  status: 'passed' | 'failed';
  /** Records (ledger rows, audit events, queued jobs) that should exist after the case and do not. Must be 0. */
  dataLost: number;
  detail?: string;
  /** Jest's full test name and file, so the summary can match the line to Jest's verdict. */
  test?: string;
  file?: string;
  durationMs?: number;
}

export interface FaultCaseInput {
  area: FaultArea;
  name: string;
  dataLost: number;
  detail?: string;
  /** Defaults to `passed`; Jest's verdict for the surrounding test overrides it in the summary. */
  status?: 'passed' | 'failed';
  durationMs?: number;
}

/** Appends one case to the run's report. Safe from any Jest worker (one file per process, append-only). */
export function recordFaultCase(input: FaultCaseInput): void {
  const dir = process.env.LLMP_FAULTS_REPORT_DIR;
  if (!dir) throw new Error('LLMP_FAULTS_REPORT_DIR is not set: run through jest (global setup sets it) or npm run test:faults');
  if (!FAULT_AREAS.includes(input.area)) throw new Error(`unknown fault area ${JSON.stringify(input.area)}`);
  if (!Number.isInteger(input.dataLost) || input.dataLost < 0) throw new Error(`dataLost must be a non-negative integer, got ${input.dataLost}`);
  const state = currentTest();
  const line: FaultCaseRecord = {
    area: input.area,
    name: input.name,
    status: input.status ?? 'passed',
    dataLost: input.dataLost,
    ...(input.detail ? { detail: input.detail } : {}),
    ...state,
    ...(input.durationMs !== undefined ? { durationMs: input.durationMs } : {}),
  };
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, `cases-${process.pid}.jsonl`), `${JSON.stringify(line)}\n`);
}

/** What a case body hands to its assertions. */
export interface FaultContext {
  readonly area: FaultArea;
  readonly name: string;
  /**
   * Counts records missing after the fault (call it BEFORE asserting on them, so a failing assertion still reports
   * the loss). Adds up over calls.
   */
  lost(count: number, what?: string): void;
  /** A short free-text note for the report (what was measured). */
  note(detail: string): void;
  /** Names what the case is doing now, so a case that runs out of time says where it was stuck. */
  step(label: string): void;
}

/** Jest's testTimeout for the e2e project (jest.config.js); a case given no timeout of its own gets this one. */
const DEFAULT_CASE_TIMEOUT_MS = 60_000;

/** A case may also return its loss instead of calling `ctx.lost`. */
export interface FaultOutcome {
  dataLost?: number;
  detail?: string;
}

/**
 * One fault case: a Jest test titled `[area] name` that records its verdict and data loss in the run's report.
 *
 *   faultCase('upstream', '500 fails over to the next provider', async (ctx) => {
 *     ...send requests, assert the behaviour...
 *     ctx.lost(await missingUsage(ids));
 *     expect(await missingUsage(ids)).toBe(0);
 *   });
 */
export function faultCase(
  area: FaultArea,
  name: string,
  body: (ctx: FaultContext) => Promise<FaultOutcome | void>,
  timeoutMs?: number,
): void {
  it(
    `[${area}] ${name}`,
    async () => {
      let dataLost = 0;
      const notes: string[] = [];
      let currentStep = 'start';
      const ctx: FaultContext = {
        area,
        name,
        lost(count, what) {
          dataLost += count;
          if (count > 0 && what) notes.push(`lost ${count} ${what}`);
        },
        note(detail) {
          notes.push(detail);
        },
        step(label) {
          currentStep = `${label} (at ${Date.now() - started} ms)`;
        },
      };
      const started = Date.now();
      let outcome: FaultOutcome | void;
      // Ends the case a little before Jest's own timeout would, whose error says nothing about where the case hung.
      const budgetMs = (timeoutMs ?? DEFAULT_CASE_TIMEOUT_MS) - 2_000;
      try {
        outcome = await withTimeout(body(ctx), budgetMs, 'the case');
      } catch (caught) {
        const e = caught instanceof TimeoutError ? new Error(`${caught.message}; last step: ${currentStep}`) : caught;
        notes.push(`failed: ${((e as Error).message ?? String(e)).split('\n')[0].slice(0, 200)}`);
        recordFaultCase({ area, name, dataLost, status: 'failed', detail: notes.join('; '), durationMs: Date.now() - started });
        throw e;
      }
      if (outcome?.detail) notes.push(outcome.detail);
      const total = dataLost + (outcome?.dataLost ?? 0);
      recordFaultCase({ area, name, dataLost: total, status: total > 0 ? 'failed' : 'passed', detail: notes.join('; ') || undefined, durationMs: Date.now() - started });
      if (total > 0) throw new Error(`[${area}] ${name}: ${total} record(s) lost`);
    },
    timeoutMs,
  );
}

function currentTest(): { test?: string; file?: string } {
  const getState = (globalThis as { expect?: { getState?: () => { currentTestName?: string; testPath?: string } } }).expect?.getState;
  if (!getState) return {};
  const s = getState();
  return { ...(s.currentTestName ? { test: s.currentTestName } : {}), ...(s.testPath ? { file: s.testPath } : {}) };
}
