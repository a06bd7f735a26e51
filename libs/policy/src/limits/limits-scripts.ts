import { bulk, bulks, type RespConnection, RespScript, type RespValue } from '@llmp/infra';
import { ADMIT_LUA } from './admit.lua';
import { scopeKeys, settledKey } from './admission-plan';
import { BUDGET_INIT_LUA } from './budget-init.lua';
import type { LimitsOptions } from './limits-options';
import type { ScopeShadow } from './local-limiter';
import { RENEW_LUA } from './renew.lua';
import type { AdmissionPlan, LimitName, ScopeStats } from './reservation';
import { RESTORE_LUA } from './restore.lua';
import { SETTLE_LUA } from './settle.lua';
import { TurnBatches } from './turn-batches';

const ADMIT = new RespScript(ADMIT_LUA);
const SETTLE = new RespScript(SETTLE_LUA);
const BUDGET_INIT = new RespScript(BUDGET_INIT_LUA);
const RESTORE = new RespScript(RESTORE_LUA);
const RENEW = new RespScript(RENEW_LUA);

/** Entries per write-back call: a call runs atomically, so a large shadow goes in several. */
const RESTORE_CHUNK = 500;

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

/** One request of an admission batch. */
interface AdmitItem {
  requestId: string;
  tokens: number;
  costNano: number;
}

interface PendingAdmit extends AdmitItem {
  resolve: (reply: AdmitReply) => void;
  reject: (e: unknown) => void;
}

/**
 * Most requests one admission script call carries. A call runs atomically and all its replies arrive together, so a
 * large batch makes its first requests wait for its last: at 50 ms upstream latency and 200 connections, 16 against
 * 64 gave 7.6% more requests per second and 12% less data-plane CPU per request (bench/ab.mjs, 7 of 8 rounds), and 8
 * was no better than 16. Most of the saving per call comes with the first few requests.
 */
const MAX_ADMIT_BATCH = 16;

/**
 * Typed calls of the limit scripts: encodes KEYS/ARGV from a plan (the plan's part once) and parses replies. The
 * admissions of one plan asked for in one event-loop turn share one EVALSHA (the script admits them in order, each
 * as if alone): a script call's fixed cost is most of a lone admission's Redis time.
 */
export class LimitsScripts {
  private readonly plans = new WeakMap<AdmissionPlan, EncodedPlan>();
  /** windowMs, parallelLeaseMs and budgetTtlMs, the admission script's first arguments. */
  private readonly admitHead: string;
  private readonly settleTtl: string;
  /** Written as soon as the turn's batches are sent: left to the connection, the write would wait a turn more. */
  private readonly admissions = new TurnBatches<AdmissionPlan, PendingAdmit>(
    (plan, batch) => this.sendBatch(plan, batch),
    MAX_ADMIT_BATCH,
    () => this.conn.flush(),
  );

  constructor(private readonly conn: RespConnection, private readonly opts: LimitsOptions) {
    this.admitHead = bulk(opts.windowMs) + bulk(opts.parallelLeaseMs) + bulk(opts.budgetTtlMs);
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

  /**
   * Admits one request; it leaves with the other admissions of its plan at the end of the event-loop turn. `nowMs`
   * replaces Redis TIME and sends the request on its own; only tests pass it.
   */
  admit(requestId: string, plan: AdmissionPlan, tokens: number, costNano: number, nowMs?: number): Promise<AdmitReply> {
    if (nowMs !== undefined) return this.admitBatch(plan, [{ requestId, tokens, costNano }], nowMs).then((r) => r[0]);
    return new Promise<AdmitReply>((resolve, reject) => this.admissions.add(plan, { requestId, tokens, costNano, resolve, reject }));
  }

  private sendBatch(plan: AdmissionPlan, batch: PendingAdmit[]): void {
    this.admitBatch(plan, batch).then(
      (replies) => {
        for (let i = 0; i < batch.length; i++) batch[i].resolve(replies[i]);
      },
      (e: unknown) => {
        for (const p of batch) p.reject(e);
      },
    );
  }

  /** One EVALSHA for the batch; one reply per request, in order. */
  private async admitBatch(plan: AdmissionPlan, items: readonly AdmitItem[], nowMs?: number): Promise<AdmitReply[]> {
    const e = this.encoded(plan);
    let body =
      bulk(e.keyCount) + e.keys + this.admitHead + bulk(nowMs === undefined ? '' : nowMs) + bulk(plan.scopes.length) + e.limits +
      bulk(items.length);
    for (const it of items) body += bulk(it.requestId) + bulk(it.tokens) + bulk(it.costNano);
    const r = (await ADMIT.run(this.conn, 1 + e.keyCount + 5 + e.limitCount + 1 + 3 * items.length, body)) as RespValue[];
    if (Number(r[0]) === 3) {
      const budgets: { scope: number; periodId: string; periodStartMs: number }[] = [];
      for (let i = 1; i + 2 < r.length; i += 3) {
        budgets.push({ scope: Number(r[i]), periodId: String(r[i + 1]), periodStartMs: Number(r[i + 2]) });
      }
      const rebuild: AdmitReply = { status: 'rebuild', budgets };
      return items.map(() => rebuild);
    }
    const now = Number(r[1]);
    if (r.length !== 2 + items.length) throw new Error(`admission script answered ${r.length - 2} replies for ${items.length} requests`);
    return items.map((_, i) => admitReplyOf(r[2 + i] as RespValue[], now));
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

  /**
   * Writes one scope's shadow back (see restore.lua.ts); all calls of one write-back leave in one write. Returns the
   * window entries Redis did not hold yet.
   */
  async restore(shadow: ScopeShadow): Promise<number> {
    const keys = bulk(3) + [':w', ':tk', ':par'].map((k) => bulk(this.conn.keyPrefix + shadow.base + k)).join('');
    const head = bulk(this.opts.windowMs) + bulk(this.opts.parallelLeaseMs);
    const calls: Promise<RespValue>[] = [];
    for (let from = 0; from === 0 || from < shadow.entries.length; from += RESTORE_CHUNK) {
      const part = shadow.entries.slice(from, from + RESTORE_CHUNK);
      let body = keys + head + bulk(part.length);
      for (const e of part) body += bulk(e.id) + bulk(e.at) + bulk(e.tokens);
      // The slots go with the first call only.
      const slots = from === 0 ? shadow.inFlight : [];
      body += bulks(slots);
      calls.push(RESTORE.run(this.conn, 4 + 3 + 3 * part.length + slots.length, body));
    }
    let added = 0;
    for (const r of await Promise.all(calls)) added += Number(r);
    return added;
  }

  /**
   * Renews the parallel slots of requests in flight, given per parallel key (of one hash tag) their request ids.
   * Returns how many slots Redis still held.
   */
  async renew(byKey: ReadonlyMap<string, readonly string[]>): Promise<number> {
    let keys = '';
    let counts = '';
    let ids = '';
    let n = 0;
    for (const [key, members] of byKey) {
      keys += bulk(this.conn.keyPrefix + key);
      counts += bulk(members.length);
      ids += bulks(members);
      n += members.length;
    }
    return Number(await RENEW.run(this.conn, 1 + 2 * byKey.size + 1 + n, bulk(byKey.size) + keys + bulk(this.opts.parallelLeaseMs) + counts + ids));
  }

  /** Installs rebuilt budget counters unless another replica already did for the same period. */
  async initBudgets(entries: { key: string; periodId: string; spendNano: string }[]): Promise<number> {
    const args: (string | number)[] = [entries.length, ...entries.map((e) => this.conn.keyPrefix + e.key), this.opts.budgetTtlMs];
    for (const e of entries) args.push(e.periodId, e.spendNano);
    return Number(await BUDGET_INIT.run(this.conn, args.length, bulks(args)));
  }
}

/** One request's part of the admission script's reply: {status, scope, limit, limitValue, retryMs, stats...}. */
function admitReplyOf(r: RespValue[], now: number): AdmitReply {
  const status = Number(r[0]);
  if (status === 2) {
    return { status: 'never_fits', now, scope: Number(r[1]), limit: String(r[2]) as LimitName, limitValue: Number(r[3]) };
  }
  const stats: ScopeStats[] = [];
  for (let i = 5; i + 2 < r.length; i += 3) {
    stats.push({ requests: Number(r[i]), tokens: Number(r[i + 1]), resetMs: Number(r[i + 2]) });
  }
  if (status === 0) return { status: 'admitted', now, stats };
  return {
    status: 'denied', now, scope: Number(r[1]), limit: String(r[2]) as LimitName, limitValue: Number(r[3]),
    retryMs: Number(r[4]), stats,
  };
}
