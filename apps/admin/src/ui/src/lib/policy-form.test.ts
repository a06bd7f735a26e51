import { describe, expect, it } from 'vitest';
import { EMPTY_POLICY_FORM, parsePairs, policyFormToBody, validatePolicyForm } from './policy-form';

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
      budgetUsd: 5,
      budgetPeriod: 'month',
      expiresAt: null,
    });
  });

  it('parses pairs with = : and arrows', () => {
    expect(parsePairs('a = b\nc: d\ne -> f')).toEqual({ pairs: [['a', 'b'], ['c', 'd'], ['e', 'f']] });
  });
});
