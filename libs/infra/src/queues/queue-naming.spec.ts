import { bullPrefix, safeJobId } from './queue-naming';

describe('queue naming', () => {
  it('derives the BullMQ prefix from the install prefix', () => {
    expect(bullPrefix('llmp:')).toBe('llmp:bull');
  });

  it('keeps ordinary ids and maps ids BullMQ would reject to a stable digest', () => {
    expect(safeJobId('req_abc-123')).toBe('req_abc-123');
    expect(safeJobId('12345')).toMatch(/^h-[0-9a-f]{40}$/);
    expect(safeJobId('a:b')).toBe(safeJobId('a:b'));
    expect(safeJobId('a:b')).not.toBe(safeJobId('a:c'));
  });
});
