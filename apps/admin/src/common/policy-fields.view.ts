import type { PolicyFields } from '@llmp/common';

/** Copies exactly the policy fields (so no other column of a record can leak into a response). */
export function policyFieldsView(p: PolicyFields): PolicyFields {
  return {
    allowedModels: p.allowedModels,
    modelAliases: p.modelAliases,
    perModelMaxTokens: p.perModelMaxTokens,
    modelLimits: p.modelLimits,
    rpm: p.rpm,
    tpm: p.tpm,
    maxParallel: p.maxParallel,
    maxChoices: p.maxChoices ?? null,
    budgetUsd: p.budgetUsd,
    budgetPeriod: p.budgetPeriod,
  };
}

/** Only the policy fields an admin actually sent. */
export function sentPolicyFields(dto: Partial<PolicyFields>): Partial<PolicyFields> {
  const out: Partial<PolicyFields> = {};
  const keys: (keyof PolicyFields)[] = ['allowedModels', 'modelAliases', 'perModelMaxTokens', 'modelLimits', 'rpm', 'tpm', 'maxParallel', 'maxChoices', 'budgetUsd', 'budgetPeriod'];
  for (const k of keys) if (dto[k] !== undefined) Object.assign(out, { [k]: dto[k] });
  return out;
}
