import { isRecordError } from './db-error';

export type WriteOutcome = 'written' | 'quarantined';

export interface BatchItem {
  jobId: string;
  payload: unknown;
}

/**
 * Sanitizes and writes a batch. When the batch write fails because of a record (not because the database is away),
 * rows are retried one by one so the bad one alone is quarantined. Database outages throw: the jobs retry.
 */
export async function writeIsolating<T>(
  items: readonly BatchItem[],
  sanitize: (payload: unknown) => T,
  write: (rows: readonly T[]) => Promise<unknown>,
  quarantine: (item: BatchItem, error: string) => Promise<void>,
): Promise<WriteOutcome[]> {
  const outcomes: WriteOutcome[] = items.map(() => 'written');
  const good: { index: number; row: T }[] = [];
  for (const [index, item] of items.entries()) {
    try {
      good.push({ index, row: sanitize(item.payload) });
    } catch (e) {
      await quarantine(item, `invalid payload: ${(e as Error).message}`);
      outcomes[index] = 'quarantined';
    }
  }
  try {
    await write(good.map((g) => g.row));
    return outcomes;
  } catch (e) {
    if (!isRecordError(e)) throw e;
  }
  for (const g of good) {
    try {
      await write([g.row]);
    } catch (e) {
      if (!isRecordError(e)) throw e;
      await quarantine(items[g.index], (e as Error).message);
      outcomes[g.index] = 'quarantined';
    }
  }
  return outcomes;
}
