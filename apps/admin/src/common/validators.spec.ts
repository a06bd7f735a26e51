import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { PolicyFieldsDto } from './policy-fields.dto';

/** The validation messages for `body`, as the admin envelope lists them. */
function problems(body: Record<string, unknown>): string[] {
  return validateSync(plainToInstance(PolicyFieldsDto, body)).flatMap((e) => Object.values(e.constraints ?? {}));
}

describe('policy field bounds', () => {
  it('accepts the edges of what Postgres stores', () => {
    expect(problems({ budgetUsd: 0.123456 })).toEqual([]);
    expect(problems({ rpm: 2147483647, tpm: 1, maxParallel: 2147483647, budgetUsd: 999999999999, perModelMaxTokens: { '*': 2147483647 }, modelLimits: { m: { rpm: 1, tpm: 2147483647 } } })).toEqual([]);
  });

  it.each([
    [{ rpm: 1e20 }, 'rpm must not be greater than 2147483647'],
    [{ tpm: 9007199254740993 }, 'tpm must not be greater than 2147483647'],
    [{ budgetUsd: 1e12 }, 'budgetUsd must not be greater than 999999999999'],
    [{ budgetUsd: 1e-7 }, 'budgetUsd must have at most 6 decimals'],
    [{ perModelMaxTokens: { m: 1e20 } }, 'perModelMaxTokens.m must be an integer from 1 to 2147483647'],
    [{ modelLimits: { m: { tpm: 0.5 } } }, 'modelLimits.m.tpm must be an integer from 1 to 2147483647'],
    [{ modelLimits: { m: { rps: 1 } } }, 'modelLimits.m.rps is not a limit (rpm, tpm)'],
    [{ modelAliases: { fast: '' } }, 'modelAliases.fast must be a string of 1 to 256 characters'],
  ])('refuses %j naming the field', (body, message) => {
    expect(problems(body)).toContain(message);
  });

  it('bounds the number of map entries', () => {
    const many = Object.fromEntries(Array.from({ length: 501 }, (_, i) => [`m${i}`, 1]));
    expect(problems({ perModelMaxTokens: many })).toEqual(['perModelMaxTokens must have at most 500 entries']);
  });
});
