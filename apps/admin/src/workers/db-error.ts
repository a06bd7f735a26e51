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
 * Whether a write failed because of the record itself (retrying cannot help: bad encoding, out of range, invalid
 * JSON, constraint) rather than the database being away or busy (retry later).
 */
export function isRecordError(e: unknown): boolean {
  if (e instanceof RecordError) return true;
  const state = sqlStateOf(e);
  return state !== null && (state.startsWith('22') || state.startsWith('23'));
}

/** A payload that fails validation before it reaches the database. */
export class RecordError extends Error {}
