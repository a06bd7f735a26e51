/**
 * Exact decimal arithmetic for money: values are BigInt units at a given scale, so a cost computed here equals the
 * cost Postgres stores and sums (no float drift between the ledger, the reports and budget settlement).
 */

/** Fraction digits of UsageRecord.costUsd (Decimal(20,10)). */
export const COST_SCALE = 10;

export interface ScaledDecimal {
  units: bigint;
  scale: number;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** Parses a decimal string or a finite number (exponent form included) without going through float math. */
export function parseDecimal(value: string | number): ScaledDecimal {
  let text = typeof value === 'number' ? numberToPlain(value) : value.trim();
  if (text.startsWith('+')) text = text.slice(1);
  const m = DECIMAL.exec(text);
  if (!m) throw new Error(`not a decimal: ${String(value)}`);
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const units = BigInt(m[2] + frac) * (m[1] ? -1n : 1n);
  return { units, scale: frac.length };
}

/** Rescales with round-half-up (away from zero for negatives). */
export function rescale(d: ScaledDecimal, scale: number): bigint {
  if (scale >= d.scale) return d.units * 10n ** BigInt(scale - d.scale);
  const div = 10n ** BigInt(d.scale - scale);
  const half = div / 2n;
  return d.units >= 0n ? (d.units + half) / div : -((-d.units + half) / div);
}

/** Renders units at `scale` as a plain decimal string without trailing zeros ("0.000125", "3", "0"). */
export function formatDecimal(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${int}${frac ? '.' + frac : ''}`;
}

/** Normalizes any decimal input to its canonical plain string. */
export function normalizeDecimal(value: string | number): string {
  const d = parseDecimal(value);
  return formatDecimal(d.units, d.scale);
}

/**
 * USD cost of a request: tokens times USD-per-million prices, rounded once (half-up) to COST_SCALE digits.
 * Returns units at COST_SCALE.
 */
export function costUnits(
  promptTokens: number,
  completionTokens: number,
  inputPerMillion: ScaledDecimal,
  outputPerMillion: ScaledDecimal,
): bigint {
  const scale = Math.max(inputPerMillion.scale, outputPerMillion.scale);
  const input = rescale(inputPerMillion, scale);
  const output = rescale(outputPerMillion, scale);
  const exact = BigInt(Math.max(0, Math.trunc(promptTokens))) * input + BigInt(Math.max(0, Math.trunc(completionTokens))) * output;
  // `exact` is USD at scale + 6 (per million tokens).
  return rescale({ units: exact, scale: scale + 6 }, COST_SCALE);
}

function numberToPlain(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  const text = String(n);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!m) return text;
  const digits = m[2] + (m[3] ?? '');
  const point = m[2].length + Number(m[4]);
  if (point <= 0) return `${m[1]}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${m[1]}${digits}${'0'.repeat(point - digits.length)}`;
  return `${m[1]}${digits.slice(0, point)}.${digits.slice(point)}`;
}
