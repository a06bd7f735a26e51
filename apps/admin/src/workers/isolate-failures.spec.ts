import { writeIsolating, type BatchItem } from './isolate-failures';
import { RecordError } from './db-error';

/** What pg throws: an Error with the SQLSTATE in `code`. */
const pgError = (code: string, message: string): Error => Object.assign(new Error(message), { code });

/** A table that refuses, whole statement at a time as Postgres does, any batch holding a row named `bad*`. */
class Table {
  readonly rows: string[] = [];
  statements = 0;
  transientOnStatement: number | null = null;

  async write(batch: readonly string[]): Promise<void> {
    this.statements++;
    if (this.statements === this.transientOnStatement) throw pgError('57P01', 'terminating connection due to administrator command');
    const bad = batch.find((r) => r.startsWith('bad'));
    if (bad) throw pgError('54000', `index row size 9232 exceeds btree version 4 maximum 2704 (${bad})`);
    this.rows.push(...batch);
  }
}

const items = (names: string[]): BatchItem[] => names.map((n) => ({ jobId: n, payload: n }));
const sanitize = (p: unknown): string => {
  if (p === 'malformed') throw new RecordError('status must be a non-negative int32');
  return p as string;
};

describe('writeIsolating', () => {
  it('splits a refused batch down to the bad rows: every good row is written in the same pass, each bad one quarantined with its SQLSTATE', async () => {
    const table = new Table();
    const names = Array.from({ length: 64 }, (_, i) => (i === 9 || i === 50 ? `bad-${i}` : `good-${i}`));
    const quarantined: string[] = [];
    const outcomes = await writeIsolating(items(names), sanitize, (rows) => table.write(rows), async (item, error) => {
      quarantined.push(`${item.jobId}: ${error}`);
    });
    expect(table.rows.sort()).toEqual(names.filter((n) => n.startsWith('good')).sort());
    expect(quarantined).toEqual([expect.stringMatching(/^bad-9: 54000: index row size/), expect.stringMatching(/^bad-50: 54000: index row size/)]);
    expect(outcomes.filter((o) => o === 'quarantined')).toHaveLength(2);
    expect(outcomes[9]).toBe('quarantined');
    // Two bad rows in 64: a handful of statements per bad row, not one per row.
    expect(table.statements).toBeLessThanOrEqual(1 + 2 * 2 * Math.log2(64));
  });

  it('quarantines payloads refused before the database after the good rows are written', async () => {
    const table = new Table();
    const order: string[] = [];
    const outcomes = await writeIsolating(items(['good-1', 'malformed', 'good-2']), sanitize, async (rows) => {
      await table.write(rows);
      order.push('write');
    }, async () => {
      order.push('quarantine');
    });
    expect(outcomes).toEqual(['written', 'quarantined', 'written']);
    expect(order).toEqual(['write', 'quarantine']);
  });

  it('an unavailable database fails the batch for a retry, also in the middle of splitting it, and quarantines nothing', async () => {
    for (const transientOnStatement of [1, 3]) {
      const table = new Table();
      table.transientOnStatement = transientOnStatement;
      const quarantined: string[] = [];
      const names = transientOnStatement === 1 ? ['good-1', 'good-2'] : ['good-1', 'bad-2', 'good-3', 'good-4'];
      await expect(writeIsolating(items(names), sanitize, (rows) => table.write(rows), async (item) => {
        quarantined.push(item.jobId);
      })).rejects.toMatchObject({ code: '57P01' });
      expect(quarantined).toEqual([]);
    }
  });
});
