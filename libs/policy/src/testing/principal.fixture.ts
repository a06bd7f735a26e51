import type { PolicyFields, Principal } from '@llmp/common';

export function policyFields(over: Partial<PolicyFields> = {}): PolicyFields {
  return {
    allowedModels: [],
    modelAliases: {},
    perModelMaxTokens: {},
    modelLimits: {},
    rpm: null,
    tpm: null,
    maxParallel: null,
    maxChoices: null,
    budgetUsd: null,
    budgetPeriod: null,
    ...over,
  };
}

/** A key principal for unit specs; `team: null` means a key without a team. */
export function keyPrincipal(key: Partial<PolicyFields> = {}, team: Partial<PolicyFields> | null = null): Principal {
  return {
    kind: 'key',
    snapshot: {
      keyId: 'key_test',
      keyName: 'test',
      teamId: team ? 'team_test' : null,
      teamName: team ? 'test team' : null,
      key: policyFields(key),
      team: team ? policyFields(team) : null,
      expiresAt: null,
    },
  };
}
