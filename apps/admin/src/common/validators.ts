import { ValidateBy, type ValidationOptions } from 'class-validator';
import { jsonDepth } from '@llmp/common';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const NAME_MAX = 256;

/** `{ name: string }` with non-empty names and targets, e.g. modelAliases. */
export function IsStringMap(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStringMap',
      validator: {
        validate: (v: unknown) =>
          isPlainObject(v) &&
          Object.entries(v).every(([k, x]) => k.length > 0 && k.length <= NAME_MAX && typeof x === 'string' && x.length > 0 && x.length <= NAME_MAX),
        defaultMessage: () => '$property must be an object of non-empty strings',
      },
    },
    options,
  );
}

/** `{ model: positive integer }`, e.g. perModelMaxTokens. */
export function IsPositiveIntMap(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPositiveIntMap',
      validator: {
        validate: (v: unknown) =>
          isPlainObject(v) &&
          Object.entries(v).every(([k, x]) => k.length > 0 && k.length <= NAME_MAX && typeof x === 'number' && Number.isInteger(x) && x > 0),
        defaultMessage: () => '$property must be an object of positive integers',
      },
    },
    options,
  );
}

/** `{ model: { rpm?, tpm? } }` with positive integers and no other fields. */
export function IsModelLimitsMap(options?: ValidationOptions): PropertyDecorator {
  const positive = (x: unknown) => x === undefined || (typeof x === 'number' && Number.isInteger(x) && x > 0);
  return ValidateBy(
    {
      name: 'isModelLimitsMap',
      validator: {
        validate: (v: unknown) =>
          isPlainObject(v) &&
          Object.entries(v).every(
            ([k, x]) =>
              k.length > 0 &&
              isPlainObject(x) &&
              Object.keys(x).every((f) => f === 'rpm' || f === 'tpm') &&
              positive(x.rpm) &&
              positive(x.tpm),
          ),
        defaultMessage: () => '$property must be an object of { rpm?, tpm? } with positive integers',
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
