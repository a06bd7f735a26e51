export type BudgetPeriod = 'day' | 'week' | 'month' | 'total';

/** The policy fields a team and a key both carry; a key narrows its team and never widens it. */
export interface PolicyFields {
  allowedModels: string[];
  modelAliases: Record<string, string>;
  perModelMaxTokens: Record<string, number>;
  /** Limits of the key x model scope, keyed by resolved model name (or `*`). */
  modelLimits: Record<string, { rpm?: number; tpm?: number }>;
  rpm: number | null;
  tpm: number | null;
  maxParallel: number | null;
  /**
   * Most choices one request may ask for (`n`, completions' `best_of`, Gemini's `candidateCount`), 1..128; null =
   * not set at this level (the default, 8, applies when neither the key nor its team sets one).
   */
  maxChoices: number | null;
  budgetUsd: number | null;
  budgetPeriod: BudgetPeriod | null;
}

/** What the data plane knows about an authenticated key, cached in process and in Redis. No secrets. */
export interface PolicySnapshot {
  keyId: string;
  keyName: string;
  teamId: string | null;
  teamName: string | null;
  key: PolicyFields;
  team: PolicyFields | null;
  expiresAt: number | null;
  /** The key's `debugLogging` flag: its request and response bodies are logged (redacted). Absent means off. */
  debugLogging?: boolean;
}

/** Who is calling the data plane. `anonymous` only when auth is disabled. */
export type Principal =
  | { kind: 'key'; snapshot: PolicySnapshot }
  | { kind: 'anonymous' };

export function principalKeyId(p: Principal): string | null {
  return p.kind === 'key' ? p.snapshot.keyId : null;
}

export function principalTeamId(p: Principal): string | null {
  return p.kind === 'key' ? p.snapshot.teamId : null;
}
