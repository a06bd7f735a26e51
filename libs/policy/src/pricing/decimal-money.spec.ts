import { COST_SCALE, costUnits, formatDecimal, normalizeDecimal, parseDecimal } from './decimal-money';

describe('decimal money', () => {
  it('parses strings and numbers (exponent form included) exactly', () => {
    expect(parseDecimal('2.500000')).toEqual({ units: 25n, scale: 1 });
    expect(normalizeDecimal(0.15)).toBe('0.15');
    expect(normalizeDecimal(1e-7)).toBe('0.0000001');
    expect(normalizeDecimal(1.5e21)).toBe('1500000000000000000000');
    expect(normalizeDecimal('-0.010')).toBe('-0.01');
    expect(() => parseDecimal('1.2.3')).toThrow();
  });

  it('computes costs without float drift and rounds once, half-up, to 10 digits', () => {
    const cost = (p: number, c: number, i: string, o: string): string =>
      formatDecimal(costUnits(p, c, parseDecimal(i), parseDecimal(o)), COST_SCALE);
    expect(cost(1, 0, '0.1', '0')).toBe('0.0000001');
    expect(cost(3, 7, '0.15', '0.6')).toBe('0.00000465');
    expect(cost(1_000_000, 1_000_000, '2.5', '10')).toBe('12.5');
    // 1 token at 0.000001 USD/M = 1e-12 USD: below the ledger precision, rounds to 0.
    expect(cost(1, 0, '0.000001', '0')).toBe('0');
    expect(cost(1, 0, '0.00005', '0')).toBe('0.0000000001');
    // Float would give 0.30000000000000004 for 0.1 + 0.2.
    expect(cost(1_000_000, 1_000_000, '0.1', '0.2')).toBe('0.3');
  });
});
