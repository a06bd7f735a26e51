import { ValidateBy, type ValidationOptions } from 'class-validator';
import { jsonDepth } from '@llmp/common';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const NAME_MAX = 256;
/** Entries a policy map (aliases, per-model caps, per-model limits) may have. */
export const MAP_MAX_ENTRIES = 500;
/** The largest value a Postgres `integer` column holds: rpm, tpm, maxParallel and the per-model numbers. */
export const INT4_MAX = 2_147_483_647;
/** The largest value a Postgres `bigint` holds (audit `seq`, ledger ids used as cursors). */
const INT8_MAX = 9_223_372_036_854_775_807n;

const isCount = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x) && x >= 1 && x <= INT4_MAX;

/**
 * The first problem of a policy map, naming the exact entry (`modelLimits.gpt-4o.rpm`), or null when it is valid.
 * Shared by validate and defaultMessage, so the message always says which entry was refused.
 */
type MapCheck = (property: string, v: unknown) => string | null;

function mapProblem(property: string, v: unknown, entry: (at: string, value: unknown) => string | null): string | null {
  if (!isPlainObject(v)) return `${property} must be an object`;
  const entries = Object.entries(v);
  if (entries.length > MAP_MAX_ENTRIES) return `${property} must have at most ${MAP_MAX_ENTRIES} entries`;
  for (const [k, x] of entries) {
    if (k.length === 0 || k.length > NAME_MAX) return `${property} keys must be 1 to ${NAME_MAX} characters long`;
    const problem = entry(`${property}.${k}`, x);
    if (problem) return problem;
  }
  return null;
}

function mapValidator(name: string, check: MapCheck, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name,
      validator: {
        validate: (v: unknown, args) => check(args?.property ?? '', v) === null,
        defaultMessage: (args) => check(args?.property ?? '', args?.value) ?? `${args?.property} is invalid`,
      },
    },
    options,
  );
}

/** `{ name: string }` with non-empty names and targets, e.g. modelAliases. */
export function IsStringMap(options?: ValidationOptions): PropertyDecorator {
  return mapValidator(
    'isStringMap',
    (property, v) =>
      mapProblem(property, v, (at, x) => (typeof x === 'string' && x.length > 0 && x.length <= NAME_MAX ? null : `${at} must be a string of 1 to ${NAME_MAX} characters`)),
    options,
  );
}

/** `{ model: positive integer }`, e.g. perModelMaxTokens. */
export function IsPositiveIntMap(options?: ValidationOptions): PropertyDecorator {
  return mapValidator(
    'isPositiveIntMap',
    (property, v) => mapProblem(property, v, (at, x) => (isCount(x) ? null : `${at} must be an integer from 1 to ${INT4_MAX}`)),
    options,
  );
}

/** `{ model: { rpm?, tpm? } }` with positive integers and no other fields. */
export function IsModelLimitsMap(options?: ValidationOptions): PropertyDecorator {
  return mapValidator(
    'isModelLimitsMap',
    (property, v) =>
      mapProblem(property, v, (at, x) => {
        if (!isPlainObject(x)) return `${at} must be an object of { rpm?, tpm? }`;
        const unknown = Object.keys(x).find((f) => f !== 'rpm' && f !== 'tpm');
        if (unknown !== undefined) return `${at}.${unknown} is not a limit (rpm, tpm)`;
        for (const f of ['rpm', 'tpm'] as const) {
          if (x[f] !== undefined && !isCount(x[f])) return `${at}.${f} must be an integer from 1 to ${INT4_MAX}`;
        }
        return null;
      }),
    options,
  );
}

/**
 * A number with at most `places` decimals, as a numeric(p, places) column stores it without rounding. Unlike
 * class-validator's maxDecimalPlaces this also refuses exponent forms such as `1e-7`, whose string has no dot.
 */
export function AtMostDecimals(places: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'atMostDecimals',
      validator: {
        validate: (v: unknown) => typeof v === 'number' && Number.isFinite(v) && Number(v.toFixed(places)) === v,
        defaultMessage: () => `$property must have at most ${places} decimals`,
      },
    },
    options,
  );
}

/** A decimal string of a non-negative `bigint` (a cursor naming a row id or sequence number). */
export function IsInt8String(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isInt8String',
      validator: {
        validate: (v: unknown) => typeof v === 'string' && /^\d{1,19}$/.test(v) && BigInt(v) <= INT8_MAX,
        defaultMessage: () => '$property must be a non-negative integer of at most 19 digits (at most 9223372036854775807)',
      },
    },
    options,
  );
}

/** Deepest nesting a metadata object may have (the database driver refuses deeper JSON with an internal error). */
const MAX_METADATA_DEPTH = 32;

/** A JSON object of modest size (metadata). */
export function IsSmallJsonObject(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isSmallJsonObject',
      validator: {
        validate: (v: unknown) => isPlainObject(v) && jsonDepth(v, MAX_METADATA_DEPTH) <= MAX_METADATA_DEPTH && JSON.stringify(v).length <= 16_384,
        defaultMessage: () => `$property must be a JSON object of at most 16 KB, nested at most ${MAX_METADATA_DEPTH} levels`,
      },
    },
    options,
  );
}
