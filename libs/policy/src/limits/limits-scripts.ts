import type { Redis } from 'ioredis';
import { ADMIT_LUA } from './admit.lua';
import { scopeKeys, settledKey } from './admission-plan';
import { BUDGET_INIT_LUA } from './budget-init.lua';
import type { LimitsOptions } from './limits-options';
import type { AdmissionPlan, LimitName, ScopeStats } from './reservation';
import { SETTLE_LUA } from './settle.lua';

/** The client with the three scripts defined (ioredis adds them as methods; EVALSHA, EVAL after NOSCRIPT). */
interface ScriptedRedis extends Redis {
  llmpAdmit(numKeys: number, ...args: (string | number)[]): Promise<unknown[]>;
  llmpSettle(numKeys: number, ...args: (string | number)[]): Promise<number>;
  llmpBudgetInit(numKeys: number, ...args: (string | number)[]): Promise<number>;
}

/** The parts of a script call that depend only on the plan, computed once per plan (plans are cached). */
const planArgsCache = new WeakMap<AdmissionPlan, { keys: string[]; limits: (string | number)[] }>();

function planArgs(plan: AdmissionPlan): { keys: string[]; limits: (string | number)[] } {
  let found = planArgsCache.get(plan);
  if (!found) {
    const limits: (string | number)[] = [];
    for (const s of plan.scopes) limits.push(s.rpm ?? -1, s.tpm ?? -1, s.maxParallel ?? -1, s.budgetNano ?? -1, s.budgetPeriod ?? '');
    found = { keys: plan.scopes.flatMap(scopeKeys), limits };
    planArgsCache.set(plan, found);
  }
  return found;
}

/** One reservation to settle: what was reserved at admission and what the request actually used. */
export interface SettleItem {
  requestId: string;
  reserved: { tokens: number; costNano: number };
  actual: { tokens: number; costNano: number };
}

export type AdmitReply =
  | { status: 'admitted'; now: number; stats: ScopeStats[] }
  | { status: 'denied'; now: number; scope: number; limit: LimitName; limitValue: number; retryMs: number; stats: ScopeStats[] }
  | { status: 'never_fits'; now: number; scope: number; limit: LimitName; limitValue: number }
  | { status: 'rebuild'; budgets: { scope: number; periodId: string; periodStartMs: number }[] };

/** Typed calls of the limit scripts: builds KEYS/ARGV from a plan and parses replies. One EVALSHA per call. */
export class LimitsScripts {
  private readonly client: ScriptedRedis;

  constructor(client: Redis, private readonly opts: LimitsOptions) {
    client.defineCommand('llmpAdmit', { lua: ADMIT_LUA });
    client.defineCommand('llmpSettle', { lua: SETTLE_LUA });
    client.defineCommand('llmpBudgetInit', { lua: BUDGET_INIT_LUA });
    // defineCommand adds the methods at runtime; the interface above declares them.
    this.client = client as ScriptedRedis;
  }

  /** `nowMs` replaces Redis TIME; only tests pass it. */
  async admit(requestId: string, plan: AdmissionPlan, tokens: number, costNano: number, nowMs?: number): Promise<AdmitReply> {
    const { keys, limits } = planArgs(plan);
    const r = await this.client.llmpAdmit(
      keys.length, ...keys,
      requestId, this.opts.windowMs, this.opts.parallelTtlMs, tokens, costNano, this.opts.budgetTtlMs,
      nowMs === undefined ? '' : nowMs, plan.scopes.length, ...limits,
    );
    const status = Number(r[0]);
    if (status === 3) {
      const budgets: { scope: number; periodId: string; periodStartMs: number }[] = [];
      for (let i = 1; i + 2 < r.length; i += 3) {
        budgets.push({ scope: Number(r[i]), periodId: String(r[i + 1]), periodStartMs: Number(r[i + 2]) });
      }
      return { status: 'rebuild', budgets };
    }
    const now = Number(r[5]);
    if (status === 2) {
      return { status: 'never_fits', now, scope: Number(r[1]), limit: String(r[2]) as LimitName, limitValue: Number(r[3]) };
    }
    const stats: ScopeStats[] = [];
    for (let i = 6; i + 2 < r.length; i += 3) {
      stats.push({ requests: Number(r[i]), tokens: Number(r[i + 1]), resetMs: Number(r[i + 2]) });
    }
    if (status === 0) return { status: 'admitted', now, stats };
    return {
      status: 'denied', now, scope: Number(r[1]), limit: String(r[2]) as LimitName, limitValue: Number(r[3]),
      retryMs: Number(r[4]), stats,
    };
  }

  /** Settles a reservation; false when the request was already settled. Deltas are integers. */
  async settle(
    requestId: string,
    plan: AdmissionPlan,
    reserved: { tokens: number; costNano: number },
    actual: { tokens: number; costNano: number },
  ): Promise<boolean> {
    return (await this.settleMany(plan, [{ requestId, reserved, actual }])) === 1;
  }

  /**
   * Settles many reservations of the same plan (same scopes, so the same keys and hash tag) in one EVALSHA;
   * returns how many were settled now. Deltas are integers.
   */
  async settleMany(plan: AdmissionPlan, items: readonly SettleItem[]): Promise<number> {
    const keys = planArgs(plan).keys.slice();
    const args: (string | number)[] = [this.opts.settledTtlMs, plan.scopes.length, items.length];
    for (const it of items) {
      keys.push(settledKey(plan, it.requestId));
      args.push(
        it.requestId, it.actual.tokens, it.actual.tokens - it.reserved.tokens, it.actual.costNano - it.reserved.costNano,
        it.actual.costNano,
      );
    }
    return Number(await this.client.llmpSettle(keys.length, ...keys, ...args));
  }

  /** Installs rebuilt budget counters unless another replica already did for the same period. */
  async initBudgets(entries: { key: string; periodId: string; spendNano: string }[]): Promise<number> {
    const args: (string | number)[] = [this.opts.budgetTtlMs];
    for (const e of entries) args.push(e.periodId, e.spendNano);
    return Number(await this.client.llmpBudgetInit(entries.length, ...entries.map((e) => e.key), ...args));
  }
}
