import { describe, expect, it } from 'vitest';
import type { KeyDto, TeamDto } from '../api/schema.gen';
import { EMPTY_POLICY_FORM, parsePairs, policyFormFrom, policyFormToBody, validatePolicyForm } from './policy-form';

describe('policy form', () => {
  it('rejects bad numbers, bad pairs and a budget without a period before anything is sent', () => {
    const e = validatePolicyForm({ ...EMPTY_POLICY_FORM, name: '', rpm: '0', tpm: '1.5', modelAliases: 'fast', perModelMaxTokens: 'gpt-4o = -3', budgetUsd: '10' }, { requireName: true });
    expect(Object.keys(e).sort()).toEqual(['budgetPeriod', 'modelAliases', 'name', 'perModelMaxTokens', 'rpm', 'tpm']);
  });

  it('accepts globs and converts to the API body, empty limits as null', () => {
    const v = { ...EMPTY_POLICY_FORM, name: ' ci ', allowedModels: 'gpt-4o*\nclaude-*', modelAliases: 'fast = gpt-4o-mini', perModelMaxTokens: '* = 2048', rpm: '60', budgetUsd: '5', budgetPeriod: 'month' as const };
    expect(validatePolicyForm(v, { requireName: true })).toEqual({});
    expect(policyFormToBody(v)).toEqual({
      name: 'ci',
      teamId: null,
      allowedModels: ['gpt-4o*', 'claude-*'],
      modelAliases: { fast: 'gpt-4o-mini' },
      perModelMaxTokens: { '*': 2048 },
      rpm: 60,
      tpm: null,
      maxParallel: null,
      maxChoices: null,
      budgetUsd: 5,
      budgetPeriod: 'month',
      expiresAt: null,
    });
  });

  it('bounds maxChoices to 1..128 with a clear message, empty meaning not set here', () => {
    for (const bad of ['0', '129', '1000', '-1', '2.5', 'abc', '1e3']) {
      const e = validatePolicyForm({ ...EMPTY_POLICY_FORM, name: 'ci', maxChoices: bad }, { requireName: true });
      expect(Object.keys(e), bad).toEqual(['maxChoices']);
      expect(e.maxChoices).toBe("A whole number from 1 to 128, or empty for the default (the team's, else 8)");
    }
    for (const [raw, sent] of [['1', 1], ['4', 4], [' 128 ', 128], ['', null], ['   ', null]] as const) {
      const v = { ...EMPTY_POLICY_FORM, name: 'ci', maxChoices: raw };
      expect(validatePolicyForm(v, { requireName: true }), raw).toEqual({});
      expect(policyFormToBody(v).maxChoices, raw).toBe(sent);
    }
  });

  it('fills maxChoices from a key or team and round-trips it', () => {
    const base = { allowedModels: [], modelAliases: {}, perModelMaxTokens: {}, modelLimits: {}, rpm: null, tpm: null, maxParallel: 3, budgetUsd: null, budgetPeriod: null };
    const key = { ...base, id: 'key_1', name: 'ci', teamId: 'team_1', maxChoices: 16, expiresAt: null } as unknown as KeyDto;
    const form = policyFormFrom(key);
    expect(form.maxChoices).toBe('16');
    expect(form.maxParallel).toBe('3');
    expect(policyFormToBody(form)).toMatchObject({ maxChoices: 16, maxParallel: 3, teamId: 'team_1' });
    const team = { ...base, id: 'team_1', name: 'ml', maxChoices: null } as unknown as TeamDto;
    expect(policyFormFrom(team).maxChoices).toBe('');
    expect(policyFormToBody(policyFormFrom(team)).maxChoices).toBeNull();
  });

  it('parses pairs with = : and arrows', () => {
    expect(parsePairs('a = b\nc: d\ne -> f')).toEqual({ pairs: [['a', 'b'], ['c', 'd'], ['e', 'f']] });
  });
});
