/** SQLSTATE of a Prisma / driver adapter error, wherever the adapter put it. */
export function sqlStateOf(e: unknown): string | null {
  const err = e as {
    code?: unknown;
    meta?: { code?: unknown; driverAdapterError?: { cause?: { code?: unknown; originalCode?: unknown } } };
    cause?: { code?: unknown };
    message?: string;
  };
  const candidates = [
    err?.meta?.driverAdapterError?.cause?.originalCode,
    err?.meta?.driverAdapterError?.cause?.code,
    err?.meta?.code,
    err?.cause?.code,
    err?.code,
  ];
  for (const c of candidates) if (typeof c === 'string' && /^[0-9A-Z]{5}$/.test(c)) return c;
  const m = /Code: `([0-9A-Z]{5})`/.exec(err?.message ?? '');
  return m ? m[1] : null;
}

/**
 * SQLSTATEs outside classes 22 and 23 that one row's content can cause: 54000 program_limit_exceeded (an index entry
 * over btree's limit, a row too big) and 54001 statement_too_complex (jsonb nested beyond the server's stack depth).
 * Retrying the batch can never make them pass.
 */
const ROW_LEVEL_STATES = new Set(['54000', '54001']);

/**
 * Whether a write failed because of a record itself (retrying cannot help: bad encoding, out of range, a value over
 * an index's size limit, invalid JSON, a constraint) rather than the database being away or busy (connection loss,
 * 40001/40P01, 57P01, 53300: retry later).
 */
export function isRecordError(e: unknown): boolean {
  if (e instanceof RecordError) return true;
  const state = sqlStateOf(e);
  return state !== null && (state.startsWith('22') || state.startsWith('23') || ROW_LEVEL_STATES.has(state));
}

/** A payload that fails validation before it reaches the database. */
export class RecordError extends Error {}

/**
 * A date Postgres stores and gives back as the same ISO text. JavaScript dates reach ±275,760 years, timestamptz
 * fewer, and beyond four-digit years the ISO form differs; a record with such a time is refused before the database.
 */
export function isStorableTime(d: Date): boolean {
  const year = d.getUTCFullYear();
  return !Number.isNaN(d.getTime()) && year >= 1 && year <= 9999;
}
