import { InvalidArgumentError } from 'commander';

// Parsers for option values. Commander reports their InvalidArgumentError as a usage error (exit 2) with the flag name.

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30s`, `15m`, `1h`, `30d`, `2w` → milliseconds. */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected a duration such as 30s, 15m, 1h, 30d or 2w.');
  return Math.round(Number(m[1]) * UNIT_MS[m[2]]);
}

function parseDate(value: string): Date | undefined {
  // Dates and date-times only; Date.parse alone would accept things like "1" or "March 7".
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim())) return undefined;
  const d = new Date(value.trim());
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** An instant in the past: an ISO date/date-time, or a duration meaning "that long ago" (`7d`). Returns ISO. */
export function parsePastInstant(value: string): string {
  const date = parseDate(value);
  if (date) return date.toISOString();
  try {
    return new Date(Date.now() - parseDuration(value)).toISOString();
  } catch {
    throw new InvalidArgumentError('expected an ISO date (2026-01-31, 2026-01-31T12:00:00Z) or a duration ago (1h, 7d).');
  }
}

/** An instant in the future: an ISO date/date-time, or a duration from now (`30d`). Returns ISO. */
export function parseFutureInstant(value: string): string {
  const date = parseDate(value);
  if (date) return date.toISOString();
  try {
    return new Date(Date.now() + parseDuration(value)).toISOString();
  } catch {
    throw new InvalidArgumentError('expected a duration from now (30d, 12h) or an ISO date (2026-12-31).');
  }
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1.');
  return n;
}

/** `--max-choices`: the admin API accepts 1..128. */
export function parseMaxChoices(value: string): number {
  const n = parsePositiveInt(value);
  if (n > 128) throw new InvalidArgumentError('expected a whole number from 1 to 128.');
  return n;
}

export function parseNonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number of at least 0.');
  return n;
}

/** Comma-separated, and repeatable: `--models a,b --models c` → [a, b, c]. */
export function collectList(value: string, previous: string[] = []): string[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (!items.length) throw new InvalidArgumentError('expected a comma-separated list.');
  return [...previous, ...items];
}

/** `name=value` pairs, comma-separated and repeatable: `--alias fast=gpt-4o-mini,smart=gpt-4o`. */
export function collectPairs(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const out = { ...previous };
  for (const part of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0 || eq === part.length - 1) throw new InvalidArgumentError(`expected name=value, got "${part}".`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/** `model=tokens` pairs: `--max-tokens gpt-4o=512,*=2048`. */
export function collectTokenLimits(value: string, previous: Record<string, number> = {}): Record<string, number> {
  const out = { ...previous };
  for (const [model, raw] of Object.entries(collectPairs(value))) {
    try {
      out[model] = parsePositiveInt(raw);
    } catch {
      throw new InvalidArgumentError(`expected model=tokens with a whole number of tokens, got "${model}=${raw}".`);
    }
  }
  return out;
}

export function parseJsonObject(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError('expected a JSON object, e.g. \'{"owner":"ci"}\'.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidArgumentError('expected a JSON object.');
  return parsed as Record<string, unknown>;
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) throw new InvalidArgumentError('expected a port number (1-65535).');
  return n;
}
