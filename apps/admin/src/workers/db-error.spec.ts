import { isRecordError, isStorableTime, RecordError } from './db-error';

const pgError = (code: string): Error => Object.assign(new Error(`error ${code}`), { code });
/** How Prisma's pg adapter wraps a driver error. */
const adapterError = (code: string): Error =>
  Object.assign(new Error('adapter'), { code: 'P2010', meta: { driverAdapterError: { cause: { originalCode: code } } } });

describe('isRecordError', () => {
  it.each(['54000', '54001', '22001', '22P05', '22003', '22021', '22008', '23505', '23502'])('%s is one row\'s fault: quarantine that row', (code) => {
    expect(isRecordError(pgError(code))).toBe(true);
    expect(isRecordError(adapterError(code))).toBe(true);
  });

  it.each(['40001', '40P01', '57P01', '57P03', '53300', '53100', '08006', '08001', '55P03', '42P01'])('%s is the database, not the row: retry the batch', (code) => {
    expect(isRecordError(pgError(code))).toBe(false);
    expect(isRecordError(adapterError(code))).toBe(false);
  });

  it('a payload refused before the database is a record error; an error without SQLSTATE (connection lost) is not', () => {
    expect(isRecordError(new RecordError('bad'))).toBe(true);
    expect(isRecordError(new Error('Connection terminated unexpectedly'))).toBe(false);
  });
});

describe('isStorableTime', () => {
  it('accepts years 1 to 9999 only', () => {
    expect(isStorableTime(new Date('2026-12-07T00:00:00Z'))).toBe(true);
    expect(isStorableTime(new Date('-200000-01-01T00:00:00.000Z'))).toBe(false);
    expect(isStorableTime(new Date('+275760-09-13T00:00:00.000Z'))).toBe(false);
    expect(isStorableTime(new Date(Number.NaN))).toBe(false);
  });
});
