import { isRecordError, sqlStateOf } from './db-error';

export type WriteOutcome = 'written' | 'quarantined';

export interface BatchItem {
  jobId: string;
  payload: unknown;
}

interface Row<T> {
  index: number;
  row: T;
}

/**
 * Sanitizes and writes a batch. When the batch write fails because of a record (not because the database is away),
 * the batch is split in halves and each half written again, down to the bad rows: one bad row costs about
 * 2·log2(batch) statements and the rest commits in this same pass, never after a job retry. The bad rows alone are
 * quarantined, after the good ones are written. Database outages throw: the jobs retry (what already committed
 * replays as a no-op).
 */
export async function writeIsolating<T>(
  items: readonly BatchItem[],
  sanitize: (payload: unknown) => T,
  write: (rows: readonly T[]) => Promise<unknown>,
  quarantine: (item: BatchItem, error: string) => Promise<void>,
): Promise<WriteOutcome[]> {
  const rejected: { index: number; error: string }[] = [];
  const good: Row<T>[] = [];
  for (const [index, item] of items.entries()) {
    try {
      good.push({ index, row: sanitize(item.payload) });
    } catch (e) {
      rejected.push({ index, error: `invalid payload: ${(e as Error).message}` });
    }
  }
  await writeBisecting(good, write, (bad, error) => rejected.push({ index: bad.index, error }));
  const outcomes: WriteOutcome[] = items.map(() => 'written');
  for (const r of rejected) {
    await quarantine(items[r.index], r.error);
    outcomes[r.index] = 'quarantined';
  }
  return outcomes;
}

async function writeBisecting<T>(
  rows: readonly Row<T>[],
  write: (rows: readonly T[]) => Promise<unknown>,
  reject: (bad: Row<T>, error: string) => void,
): Promise<void> {
  if (!rows.length) return;
  try {
    await write(rows.map((r) => r.row));
    return;
  } catch (e) {
    if (!isRecordError(e)) throw e;
    if (rows.length === 1) return reject(rows[0], describe(e));
  }
  const half = Math.ceil(rows.length / 2);
  await writeBisecting(rows.slice(0, half), write, reject);
  await writeBisecting(rows.slice(half), write, reject);
}

function describe(e: unknown): string {
  const state = sqlStateOf(e);
  const message = (e as Error)?.message ?? String(e);
  return state && !message.includes(state) ? `${state}: ${message}` : message;
}
