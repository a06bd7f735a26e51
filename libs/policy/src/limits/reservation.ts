import type { BudgetPeriod, Principal } from '@llmp/common';

/** What the data plane asks before calling upstream. */
export interface AdmissionRequest {
  /** Unique per request; reservations and settlement are keyed by it. */
  requestId: string;
  principal: Principal;
  /** Resolved model name (the key x model scope). */
  model: string;
  /** From `estimatePromptTokens`: an upper estimate, never a tokenization. */
  promptTokensEstimate: number;
  /** The capped output limit of the request. */
  outputTokensReserved: number;
  /** Worst-case price of the reservation in USD (0 when the model is unpriced). */
  reservedCostUsd: number;
}

/** What the request actually used, reported once when it ends on any path. */
export interface SettleActual {
  totalTokens: number;
  costUsd: number;
}

export type ScopeKind = 'key' | 'team' | 'key_model' | 'team_model';
export type LimitName = 'rpm' | 'tpm' | 'parallel' | 'budget';

/** One scope's limits for one request, with the Redis key base of its counters. */
export interface ScopePlan {
  kind: ScopeKind;
  /** Human label for messages, e.g. `key "ci-bot"` or `team "ml" for model gpt-4o`. */
  label: string;
  /** Id of the key or team whose ledger rows rebuild the budget. */
  ownerId: string;
  /** Redis key base (hash tag included); counters append `:w`, `:tk`, `:par`, `:bud`. */
  base: string;
  rpm: number | null;
  tpm: number | null;
  maxParallel: number | null;
  /** Budget in nano-USD (integers keep Redis arithmetic exact). */
  budgetNano: number | null;
  budgetPeriod: BudgetPeriod | null;
}

/** Every scope that applies to one request, all under one hash tag. */
export interface AdmissionPlan {
  tag: string;
  scopes: ScopePlan[];
}

/** Where a reservation lives, so settlement goes back to the same place. */
export type ReservationMode = 'redis' | 'local' | 'none';

/** Opaque to callers: the state settlement needs. */
export interface Reservation {
  readonly mode: ReservationMode;
  readonly plan: AdmissionPlan;
  readonly tokens: number;
  readonly costNano: number;
}

/** The result of a successful admission; pass it to `settle` exactly once when the request ends. */
export interface Admission {
  readonly requestId: string;
  /** `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` of the tightest scope; empty when nothing is limited. */
  readonly headers: Record<string, string>;
  readonly reservation: Reservation;
}

/** Counters of one scope as the limiter saw them. */
export interface ScopeStats {
  requests: number;
  tokens: number;
  /** Milliseconds until the oldest entry leaves the window. */
  resetMs: number;
}

/** How often admission could not use Redis, since the process started. */
export interface FallbackStats {
  /** Times Redis went from usable to unusable. */
  incidents: number;
  /** True while the last attempt failed. */
  redisDown: boolean;
  /** Admissions decided by the per-replica limiter (`onRedisDown: local`). */
  local: number;
  /** Admissions let through unchecked (`onRedisDown: open`). */
  open: number;
  /** Admissions refused with 503 because rate limits could not be checked (`onRedisDown: closed`). */
  closed: number;
  /** Admissions refused with 503 because a budget could not be checked. */
  budgetRefused: number;
  /** Settlements that could not reach Redis (queued for retry). */
  settleFailures: number;
}

/** Nano-USD per USD: budgets and costs are integers in Redis. */
export const NANO_PER_USD = 1_000_000_000;
