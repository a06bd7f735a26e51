import { bulk, bulks, type RespConnection, RespScript, type RespValue } from '@llmp/infra';
import { ADMIT_LUA } from './admit.lua';
import { scopeKeys, settledKey } from './admission-plan';
import { BUDGET_INIT_LUA } from './budget-init.lua';
import type { LimitsOptions } from './limits-options';
import type { AdmissionPlan, LimitName, ScopeStats } from './reservation';
import { SETTLE_LUA } from './settle.lua';

const ADMIT = new RespScript(ADMIT_LUA);
const SETTLE = new RespScript(SETTLE_LUA);
const BUDGET_INIT = new RespScript(BUDGET_INIT_LUA);

/**
 * The parts of the script commands that depend only on the plan, encoded once per plan (plans are cached per key
 * snapshot and model): its keys with the connection's prefix, and its limits.
 */
interface EncodedPlan {
  keyCount: number;
  keys: string;
  limitCount: number;
  limits: string;
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

/**
 * Typed calls of the limit scripts: encodes KEYS/ARGV from a plan (the plan's part once) and parses replies. One
 * EVALSHA per call.
 */
export class LimitsScripts {
  private readonly plans = new WeakMap<AdmissionPlan, EncodedPlan>();
  /** windowMs and parallelTtlMs, the arguments after the request id. */
  private readonly admitWindow: string;
  private readonly admitBudgetTtl: string;
  private readonly settleTtl: string;

  constructor(private readonly conn: RespConnection, private readonly opts: LimitsOptions) {
    this.admitWindow = bulk(opts.windowMs) + bulk(opts.parallelTtlMs);
    this.admitBudgetTtl = bulk(opts.budgetTtlMs);
    this.settleTtl = bulk(opts.settledTtlMs);
  }

  private encoded(plan: AdmissionPlan): EncodedPlan {
    let found = this.plans.get(plan);
    if (!found) {
      const keys = plan.scopes.flatMap(scopeKeys);
      const limits: (string | number)[] = [];
      for (const s of plan.scopes) limits.push(s.rpm ?? -1, s.tpm ?? -1, s.maxParallel ?? -1, s.budgetNano ?? -1, s.budgetPeriod ?? '');
      found = {
        keyCount: keys.length,
        keys: keys.map((k) => bulk(this.conn.keyPrefix + k)).join(''),
        limitCount: limits.length,
        limits: bulks(limits),
      };
      this.plans.set(plan, found);
    }
    return found;
  }

  /** `nowMs` replaces Redis TIME; only tests pass it. */
  async admit(requestId: string, plan: AdmissionPlan, tokens: number, costNano: number, nowMs?: number): Promise<AdmitReply> {
    const e = this.encoded(plan);
    const body =
      bulk(e.keyCount) + e.keys + bulk(requestId) + this.admitWindow + bulk(tokens) + bulk(costNano) + this.admitBudgetTtl +
      bulk(nowMs === undefined ? '' : nowMs) + bulk(plan.scopes.length) + e.limits;
    const r = (await ADMIT.run(this.conn, 1 + e.keyCount + 8 + e.limitCount, body)) as RespValue[];
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
    const e = this.encoded(plan);
    let keys = e.keys;
    let args = this.settleTtl + bulk(plan.scopes.length) + bulk(items.length);
    for (const it of items) {
      keys += bulk(this.conn.keyPrefix + settledKey(plan, it.requestId));
      args +=
        bulk(it.requestId) + bulk(it.actual.tokens) + bulk(it.actual.tokens - it.reserved.tokens) +
        bulk(it.actual.costNano - it.reserved.costNano) + bulk(it.actual.costNano);
    }
    const keyCount = e.keyCount + items.length;
    return Number(await SETTLE.run(this.conn, 1 + keyCount + 3 + 5 * items.length, bulk(keyCount) + keys + args));
  }

  /** Installs rebuilt budget counters unless another replica already did for the same period. */
  async initBudgets(entries: { key: string; periodId: string; spendNano: string }[]): Promise<number> {
    const args: (string | number)[] = [entries.length, ...entries.map((e) => this.conn.keyPrefix + e.key), this.opts.budgetTtlMs];
    for (const e of entries) args.push(e.periodId, e.spendNano);
    return Number(await BUDGET_INIT.run(this.conn, args.length, bulks(args)));
  }
}
