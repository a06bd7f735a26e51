import type { Prisma } from '@prisma/client';
import type { BudgetPeriod, PolicyFields } from '@llmp/common';
import { BUDGET_PERIODS, type PolicyFieldsInput } from './policy-records';

/** The columns of the policy fields, shared by ApiKey and Team selects. */
export const POLICY_SELECT = {
  allowedModels: true,
  modelAliases: true,
  perModelMaxTokens: true,
  modelLimits: true,
  rpm: true,
  tpm: true,
  maxParallel: true,
  maxChoices: true,
  budgetUsd: true,
  budgetPeriod: true,
} as const;

interface PolicyRow {
  allowedModels: string[];
  modelAliases: Prisma.JsonValue;
  perModelMaxTokens: Prisma.JsonValue;
  modelLimits: Prisma.JsonValue;
  rpm: number | null;
  tpm: number | null;
  maxParallel: number | null;
  maxChoices: number | null;
  budgetUsd: Prisma.Decimal | null;
  budgetPeriod: string | null;
}

function isRecord(v: Prisma.JsonValue | undefined): v is Prisma.JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringMap(v: Prisma.JsonValue): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRecord(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

function numberMap(v: Prisma.JsonValue): Record<string, number> {
  const out: Record<string, number> = {};
  if (isRecord(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'number') out[k] = x;
  return out;
}

function limitsMap(v: Prisma.JsonValue): PolicyFields['modelLimits'] {
  const out: PolicyFields['modelLimits'] = {};
  if (!isRecord(v)) return out;
  for (const [k, x] of Object.entries(v)) {
    if (!isRecord(x)) continue;
    const l: { rpm?: number; tpm?: number } = {};
    if (typeof x.rpm === 'number') l.rpm = x.rpm;
    if (typeof x.tpm === 'number') l.tpm = x.tpm;
    out[k] = l;
  }
  return out;
}

/** Turns stored columns into typed policy fields; malformed JSON degrades to "no setting", never a crash. */
export function toPolicyFields(row: PolicyRow): PolicyFields {
  const period = BUDGET_PERIODS.find((p) => p === row.budgetPeriod) ?? null;
  return {
    allowedModels: [...row.allowedModels],
    modelAliases: stringMap(row.modelAliases),
    perModelMaxTokens: numberMap(row.perModelMaxTokens),
    modelLimits: limitsMap(row.modelLimits),
    rpm: row.rpm,
    tpm: row.tpm,
    maxParallel: row.maxParallel,
    maxChoices: row.maxChoices,
    budgetUsd: row.budgetUsd === null ? null : Number(row.budgetUsd),
    budgetPeriod: period as BudgetPeriod | null,
  };
}

export function toJsonObject(v: Record<string, unknown>): Prisma.InputJsonObject {
  return v as Prisma.InputJsonObject;
}

export function toMetadata(v: Prisma.JsonValue): Record<string, unknown> {
  return isRecord(v) ? { ...v } : {};
}

/** Policy fields as Prisma write data; only the fields the caller supplied. */
export function policyWriteData(p: PolicyFieldsInput): {
  allowedModels?: string[];
  modelAliases?: Prisma.InputJsonObject;
  perModelMaxTokens?: Prisma.InputJsonObject;
  modelLimits?: Prisma.InputJsonObject;
  rpm?: number | null;
  tpm?: number | null;
  maxParallel?: number | null;
  maxChoices?: number | null;
  budgetUsd?: string | null;
  budgetPeriod?: string | null;
} {
  return {
    ...(p.allowedModels !== undefined && { allowedModels: p.allowedModels }),
    ...(p.modelAliases !== undefined && { modelAliases: toJsonObject(p.modelAliases) }),
    ...(p.perModelMaxTokens !== undefined && { perModelMaxTokens: toJsonObject(p.perModelMaxTokens) }),
    ...(p.modelLimits !== undefined && { modelLimits: toJsonObject(p.modelLimits) }),
    ...(p.rpm !== undefined && { rpm: p.rpm }),
    ...(p.tpm !== undefined && { tpm: p.tpm }),
    ...(p.maxParallel !== undefined && { maxParallel: p.maxParallel }),
    ...(p.maxChoices !== undefined && { maxChoices: p.maxChoices }),
    ...(p.budgetUsd !== undefined && { budgetUsd: p.budgetUsd === null ? null : String(p.budgetUsd) }),
    ...(p.budgetPeriod !== undefined && { budgetPeriod: p.budgetPeriod }),
  };
}
