import type { PolicyFields, Principal } from '@llmp/common';
import type { AdmissionPlan, ScopePlan } from './reservation';
import { NANO_PER_USD } from './reservation';

function limit(v: number | null | undefined): number | null {
  return v === null || v === undefined ? null : v;
}

function hasAny(s: ScopePlan): boolean {
  return s.rpm !== null || s.tpm !== null || s.maxParallel !== null || s.budgetNano !== null;
}

function modelLimits(fields: PolicyFields, model: string): { rpm?: number; tpm?: number } | undefined {
  return fields.modelLimits[model] ?? fields.modelLimits['*'];
}

/** Budget in nano-USD, or null. A budget without a period counts over all time. */
function budget(fields: PolicyFields): Pick<ScopePlan, 'budgetNano' | 'budgetPeriod'> {
  if (fields.budgetUsd === null || fields.budgetUsd === undefined) return { budgetNano: null, budgetPeriod: null };
  return { budgetNano: Math.floor(fields.budgetUsd * NANO_PER_USD), budgetPeriod: fields.budgetPeriod ?? 'total' };
}

/**
 * The scopes of one request. Hash tag: Redis Cluster needs every KEY of one script in one slot, and a team's
 * counters are shared by all its keys, so a key in a team keeps all its counters (key, key x model, team,
 * team x model) under the team's tag `{t:<teamId>}`; a key without a team uses `{k:<keyId>}`. The cost: one team's
 * traffic lands on one cluster shard, and a key moved to another team starts with fresh window counters (its
 * budget is rebuilt from the ledger).
 */
export function buildAdmissionPlan(principal: Principal, model: string): AdmissionPlan | null {
  if (principal.kind !== 'key') return null;
  const s = principal.snapshot;
  const tag = s.teamId !== null ? `{t:${s.teamId}}` : `{k:${s.keyId}}`;
  const base = `lim:${tag}`;
  const keyLabel = `key "${s.keyName}"`;
  const scopes: ScopePlan[] = [
    {
      kind: 'key', label: keyLabel, ownerId: s.keyId, base: `${base}:key:${s.keyId}`,
      rpm: limit(s.key.rpm), tpm: limit(s.key.tpm), maxParallel: limit(s.key.maxParallel), ...budget(s.key),
    },
  ];
  const km = modelLimits(s.key, model);
  if (km) {
    scopes.push({
      kind: 'key_model', label: `${keyLabel} for model ${model}`, ownerId: s.keyId,
      base: `${base}:km:${s.keyId}:${model}`,
      rpm: limit(km.rpm), tpm: limit(km.tpm), maxParallel: null, budgetNano: null, budgetPeriod: null,
    });
  }
  if (s.team !== null && s.teamId !== null) {
    const teamLabel = `team "${s.teamName ?? s.teamId}"`;
    scopes.push({
      kind: 'team', label: teamLabel, ownerId: s.teamId, base: `${base}:team`,
      rpm: limit(s.team.rpm), tpm: limit(s.team.tpm), maxParallel: limit(s.team.maxParallel), ...budget(s.team),
    });
    const tm = modelLimits(s.team, model);
    if (tm) {
      scopes.push({
        kind: 'team_model', label: `${teamLabel} for model ${model}`, ownerId: s.teamId, base: `${base}:tm:${model}`,
        rpm: limit(tm.rpm), tpm: limit(tm.tpm), maxParallel: null, budgetNano: null, budgetPeriod: null,
      });
    }
  }
  const limited = scopes.filter(hasAny);
  return limited.length ? { tag, scopes: limited } : null;
}

/**
 * Plans by key snapshot and model. A snapshot object lives until the key cache replaces it (a change or the refresh
 * interval), and a plan depends on nothing else, so the hot path builds each plan once instead of per request.
 */
const planCache = new WeakMap<object, Map<string, AdmissionPlan | null>>();

/** `buildAdmissionPlan`, cached per key snapshot and model (treat the result as read-only). */
export function admissionPlanFor(principal: Principal, model: string): AdmissionPlan | null {
  if (principal.kind !== 'key') return null;
  let byModel = planCache.get(principal.snapshot);
  if (!byModel) planCache.set(principal.snapshot, (byModel = new Map()));
  let plan = byModel.get(model);
  if (plan === undefined) {
    plan = buildAdmissionPlan(principal, model);
    // Forced-provider model names come from clients: bound what one snapshot can hold.
    if (byModel.size < 256) byModel.set(model, plan);
  }
  return plan;
}

/** The four counter keys of a scope, in the order the Lua scripts expect. */
export function scopeKeys(scope: ScopePlan): [string, string, string, string] {
  return [`${scope.base}:w`, `${scope.base}:tk`, `${scope.base}:par`, `${scope.base}:bud`];
}

/** The settled marker of a request, under the plan's hash tag. */
export function settledKey(plan: AdmissionPlan, requestId: string): string {
  return `lim:${plan.tag}:done:${requestId}`;
}

/** True when a scope of the plan has a budget (budgets fail closed without Redis). */
export function planHasBudget(plan: AdmissionPlan): boolean {
  return plan.scopes.some((s) => s.budgetNano !== null);
}
