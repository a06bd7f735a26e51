import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit, Optional } from '@nestjs/common';
import { ErrorCode, type GatewayConfig, LlmpError, type Principal, type RedisDownMode } from '@llmp/common';
import { encodeCommand, GATEWAY_CONFIG, REDIS, RespConnection } from '@llmp/infra';
import type { Redis } from 'ioredis';
import { admissionPlanFor, planHasBudget, scopeKeys } from './admission-plan';
import { type AdmitReply, LimitsScripts, type SettleItem } from './limits-scripts';
import { DEFAULT_LIMITS_OPTIONS, LIMITS_OPTIONS, type LimitsOptions } from './limits-options';
import { LocalLimiter } from './local-limiter';
import { decimalUsdToNano, usdToNano } from './nano-usd';
import { fitOutputPerChoice, type OutputFitRequest } from './output-fit';
import { estimatePromptTokens } from './prompt-estimate';
import { rateLimitHeaders } from './rate-limit-headers';
import { TurnBatches } from './turn-batches';
import {
  type Admission,
  type AdmissionPlan,
  type AdmissionRequest,
  type FallbackStats,
  type LimitName,
  NANO_PER_USD,
  type Reservation,
  type SettleActual,
} from './reservation';
import { UsageSpendRepository } from './usage-spend.repository';

const NO_PLAN: AdmissionPlan = { tag: '', scopes: [] };

interface PendingSettle extends SettleItem {
  plan: AdmissionPlan;
}

/** A settlement waiting for the end of the event-loop turn, and its caller. */
interface QueuedSettle {
  job: PendingSettle;
  done: () => void;
}

/** A request in flight that holds parallel slots, with when it was admitted (for the renewal's safety net). */
interface HeldSlot {
  plan: AdmissionPlan;
  since: number;
}

/** How often the maintenance timer looks at recovery (and, every third of a lease, renews slots). */
const TICK_MS = 1000;
/** Most settlements one replay script call carries (a call runs atomically). */
const REPLAY_BATCH = 100;
/** Scopes of the shadow with nothing left in the window are forgotten this often. */
const SWEEP_MS = 60_000;

function holdsSlots(plan: AdmissionPlan): boolean {
  for (const s of plan.scopes) if (s.maxParallel !== null) return true;
  return false;
}

/** Settlements that share scopes share keys, so they can go in one script call (and one cluster slot). */
function planSignature(plan: AdmissionPlan): string {
  let sig = plan.tag;
  for (const s of plan.scopes) sig += '|' + s.base;
  return sig;
}

/**
 * Admission control for rate limits and budgets: `admit` reserves before the upstream call (one EVALSHA on the
 * warm path), `settle` moves the reservation to the actual usage when the request ends. Uses its own lean Redis
 * connection (same server, db and key prefix as REDIS) without an offline queue and with a short command timeout
 * (`limits.redisTimeoutMs`), so a Redis outage costs a request microseconds, not a reconnect wait, and a hung Redis
 * costs at most the requests of the first timeout.
 *
 * Outages: the connection closing, stalling (a command timed out) or a script failing marks Redis down (one log line
 * and one incident); from then on admissions follow `limits.onRedisDown` without touching Redis. The local limiter
 * is also the shadow of what this replica admitted through Redis, so local limits carry the last window over. When
 * the connection is usable again, the queued settlements are replayed and the shadow is written back (see
 * restore.lua.ts) before Redis decides again: what was admitted before and during the outage counts after it.
 *
 * Parallel slots are leases (`limits.parallelLeaseMs`): one timer renews the slots of every request in flight on this
 * replica, in one script call per hash tag every third of a lease, so a slot lives exactly as long as its request.
 */
@Injectable()
export class AdmissionService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AdmissionService.name);
  private readonly opts: LimitsOptions;
  private readonly client: RespConnection;
  private readonly scripts: LimitsScripts;
  private readonly local: LocalLimiter;
  private readonly onRedisDown: RedisDownMode;
  private readonly counters: FallbackStats = {
    incidents: 0, redisDown: false, local: 0, open: 0, closed: 0, budgetRefused: 0, settleFailures: 0,
  };
  private pending: PendingSettle[] = [];
  /** Requests in flight on this replica that hold parallel slots (any mode), by request id. */
  private readonly slots = new Map<string, HeldSlot>();
  private recovering: Promise<void> | null = null;
  private nextRecoveryAt = 0;
  private nextRenewAt = 0;
  private nextSweepAt = 0;
  private readonly ticker: NodeJS.Timeout;
  private readonly settles = new TurnBatches<string, QueuedSettle>((_sig, queued) => this.sendSettles(queued));

  constructor(
    @Inject(REDIS) redis: Redis,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly spend: UsageSpendRepository,
    @Optional() @Inject(LIMITS_OPTIONS) options?: Partial<LimitsOptions>,
  ) {
    this.opts = {
      ...DEFAULT_LIMITS_OPTIONS,
      commandTimeoutMs: config.limits.redisTimeoutMs,
      parallelLeaseMs: config.limits.parallelLeaseMs,
      ...options,
    };
    this.onRedisDown = config.limits.onRedisDown;
    this.client = RespConnection.like(redis, { commandTimeoutMs: this.opts.commandTimeoutMs });
    this.client.on('ready', () => {
      this.nextRecoveryAt = 0;
      this.maybeRecover();
    });
    this.client.on('stalled', () => this.markDown(new Error(`Redis answered nothing within ${this.opts.commandTimeoutMs} ms`)));
    this.client.on('close', () => this.markDown(new Error('connection closed')));
    this.scripts = new LimitsScripts(this.client, this.opts);
    this.local = new LocalLimiter(this.opts.windowMs, this.opts.slotSafetyMs, this.opts.settledTtlMs);
    this.ticker = setInterval(() => this.tick(), Math.min(TICK_MS, Math.floor(this.opts.parallelLeaseMs / 3)));
    this.ticker.unref();
  }

  /**
   * Reserves the request in every applicable scope or throws: RateLimitExceeded / BudgetExceeded (429),
   * RequestNeverFits (400) when the reservation alone exceeds a limit, LimitsUnavailable (503) when a budget or
   * (`onRedisDown: closed`) a rate limit cannot be checked. Nothing stays reserved when it throws.
   */
  async admit(req: AdmissionRequest): Promise<Admission> {
    const tokens = Math.max(0, Math.ceil(req.promptTokensEstimate) + Math.ceil(req.outputTokensReserved));
    const costNano = usdToNano(req.reservedCostUsd, 'ceil');
    const plan = admissionPlanFor(req.principal, req.model);
    if (plan === null) return { requestId: req.requestId, headers: {}, reservation: { mode: 'none', plan: NO_PLAN, tokens, costNano } };
    this.checkNeverFits(plan, tokens, costNano);

    if (this.counters.redisDown || !this.client.usable) {
      this.maybeRecover();
      return this.fallback(req.requestId, plan, tokens, costNano, new Error(`connection is ${this.client.stalled ? 'stalled' : this.client.status}`));
    }
    let reply: AdmitReply;
    try {
      reply = await this.scripts.admit(req.requestId, plan, tokens, costNano);
      if (reply.status === 'rebuild') {
        await this.rebuildBudgets(plan, reply.budgets);
        reply = await this.scripts.admit(req.requestId, plan, tokens, costNano);
      }
    } catch (e) {
      if (e instanceof LlmpError) throw e;
      // A timed-out script may still run later on this connection: queue an undo behind it.
      if ((e as Error).message === 'Command timed out') {
        void this.runSettle({ requestId: req.requestId, plan, reserved: { tokens, costNano }, actual: { tokens: 0, costNano: 0 } });
      }
      return this.fallback(req.requestId, plan, tokens, costNano, e as Error);
    }
    const reservation: Reservation = { mode: 'redis', plan, tokens, costNano };
    switch (reply.status) {
      case 'admitted':
        this.local.record(req.requestId, plan, tokens);
        if (holdsSlots(plan)) this.slots.set(req.requestId, { plan, since: Date.now() });
        return { requestId: req.requestId, headers: rateLimitHeaders(plan, reply.stats), reservation };
      case 'denied':
        throw this.denial(plan, reply.scope, reply.limit, reply.retryMs, rateLimitHeaders(plan, reply.stats));
      case 'never_fits':
        throw this.neverFits(plan, reply.scope, reply.limit, tokens, costNano);
      case 'rebuild':
        throw new LlmpError(
          ErrorCode.LimitsUnavailable,
          'Budget counters could not be rebuilt from the usage ledger (they changed while rebuilding); retry shortly',
          { retryAfterSeconds: 1 },
        );
    }
  }

  /**
   * Moves the reservation to the actual usage and releases the parallel slot. Idempotent by request id; never
   * throws: when Redis is away the settlement is queued and replayed when it returns.
   */
  async settle(admission: Admission, actual: SettleActual): Promise<void> {
    const r = admission.reservation;
    const tokens = Math.max(0, Math.ceil(Number.isFinite(actual.totalTokens) ? actual.totalTokens : r.tokens));
    const costNano = usdToNano(actual.costUsd, 'round');
    try {
      if (r.mode === 'none') return;
      this.slots.delete(admission.requestId);
      if (r.mode === 'local') {
        this.local.settle(admission.requestId, r.plan, tokens);
        // Once Redis is back, the write-back may hold this request's entry and slot: settle them there too.
        if (this.counters.redisDown) return;
      } else {
        this.local.release(admission.requestId, r.plan);
      }
      const job: PendingSettle = {
        requestId: admission.requestId, plan: r.plan, reserved: { tokens: r.tokens, costNano: r.costNano }, actual: { tokens, costNano },
      };
      await this.runSettle(job);
    } catch (e) {
      this.logger.error({ msg: 'settlement failed', requestId: admission.requestId, error: (e as Error).message });
    }
  }

  /**
   * The output limit per choice to send when llmp chose it (the client sent none): `perChoice`, or the largest
   * smaller value from `minimum` that fits the tpm limits and budgets of this key's scopes (see `fitOutputPerChoice`).
   */
  fitOutputTokens(principal: Principal, model: string, req: OutputFitRequest): number {
    return fitOutputPerChoice(admissionPlanFor(principal, model), req);
  }

  /** Upper estimate of the prompt tokens of a request body; no tokenization. */
  estimatePromptTokens(body: Readonly<Record<string, unknown>>): number {
    return estimatePromptTokens(body);
  }

  /** Fallback counters since start (for /metrics). */
  fallbackStats(): FallbackStats {
    return { ...this.counters };
  }

  /** Waits briefly for the limits connection so the first requests do not count as a Redis outage. */
  async onModuleInit(): Promise<void> {
    if (this.client.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      this.client.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.ticker);
    await this.client.quit();
  }

  /**
   * Once a second: tries to recover while Redis is down; every third of a lease renews the slots of the requests in
   * flight; every minute forgets the shadow's idle scopes. Requests never wait on it.
   */
  private tick(): void {
    const now = Date.now();
    if (this.counters.redisDown) this.maybeRecover();
    else if (now >= this.nextRenewAt) {
      this.nextRenewAt = now + Math.floor(this.opts.parallelLeaseMs / 3);
      this.renewSlots(now);
    }
    if (now >= this.nextSweepAt) {
      this.nextSweepAt = now + SWEEP_MS;
      this.local.sweep();
    }
  }

  /** One renewal script call per hash tag for all of this replica's slots (a call's keys must share a tag). */
  private renewSlots(now: number): void {
    if (this.slots.size === 0 || !this.client.usable) return;
    const byTag = new Map<string, Map<string, string[]>>();
    for (const [requestId, held] of this.slots) {
      if (now - held.since > this.opts.slotSafetyMs) {
        this.slots.delete(requestId);
        continue;
      }
      let byKey = byTag.get(held.plan.tag);
      if (!byKey) byTag.set(held.plan.tag, (byKey = new Map()));
      for (const scope of held.plan.scopes) {
        if (scope.maxParallel === null) continue;
        const key = scopeKeys(scope)[2];
        const ids = byKey.get(key);
        if (ids) ids.push(requestId);
        else byKey.set(key, [requestId]);
      }
    }
    for (const byKey of byTag.values()) {
      this.scripts.renew(byKey).catch((e: unknown) => {
        // The stall or close that caused it marks Redis down; the write-back on recovery restores the slots.
        this.logger.debug({ msg: 'renewing parallel slots failed', error: (e as Error).message });
      });
    }
  }

  /** Starts a recovery unless one runs, the connection is not usable, or the last one failed under a second ago. */
  private maybeRecover(): void {
    if (!this.counters.redisDown || this.recovering || !this.client.usable || Date.now() < this.nextRecoveryAt) return;
    this.recovering = this.recover().finally(() => {
      this.recovering = null;
    });
  }

  /**
   * Replays the settlements queued during the outage (an undo of a timed-out admission must land before its request's
   * local entry and slot are written back), writes the shadow back, and only then lets Redis decide again.
   */
  private async recover(): Promise<void> {
    try {
      // Pipelined with the replay: one round trip, and an answer even when there is nothing to replay.
      await Promise.all([this.client.send(encodeCommand(['PING'])), this.flushPending()]);
      if (this.pending.length > 0) throw new Error('settlements could not be replayed');
      let restored = 0;
      for (const n of await Promise.all(this.local.shadow().map((s) => this.scripts.restore(s)))) restored += n;
      this.markUp(restored);
    } catch (e) {
      this.nextRecoveryAt = Date.now() + TICK_MS;
      this.logger.debug({ msg: 'limits store (Redis) not recovered yet', error: (e as Error).message });
    }
  }

  private checkNeverFits(plan: AdmissionPlan, tokens: number, costNano: number): void {
    plan.scopes.forEach((s, i) => {
      if (s.rpm !== null && s.rpm < 1) throw this.neverFits(plan, i, 'rpm', tokens, costNano);
      if (s.tpm !== null && tokens > s.tpm) throw this.neverFits(plan, i, 'tpm', tokens, costNano);
      if (s.maxParallel !== null && s.maxParallel < 1) throw this.neverFits(plan, i, 'parallel', tokens, costNano);
      if (s.budgetNano !== null && costNano > s.budgetNano) throw this.neverFits(plan, i, 'budget', tokens, costNano);
    });
  }

  private async rebuildBudgets(
    plan: AdmissionPlan,
    budgets: { scope: number; periodId: string; periodStartMs: number }[],
  ): Promise<void> {
    const entries: { key: string; periodId: string; spendNano: string }[] = [];
    for (const b of budgets) {
      const scope = plan.scopes[b.scope];
      const owner = scope.kind === 'team' ? { teamId: scope.ownerId } : { keyId: scope.ownerId };
      const since = scope.budgetPeriod === 'total' ? null : new Date(b.periodStartMs);
      let sum: string;
      try {
        sum = await this.spend.sumCost(owner, since);
      } catch (e) {
        this.logger.error({ msg: 'budget rebuild failed: usage ledger unreachable', scope: scope.label, error: (e as Error).message });
        throw new LlmpError(
          ErrorCode.LimitsUnavailable,
          `The budget of ${scope.label} cannot be checked: its counter must be rebuilt from the usage ledger, which is unreachable`,
          { retryAfterSeconds: 5, data: { scope: scope.kind, limit: 'budget' } },
        );
      }
      entries.push({ key: scopeKeys(scope)[3], periodId: b.periodId, spendNano: decimalUsdToNano(sum) });
      this.logger.log({ msg: 'budget counter rebuilt from the usage ledger', scope: scope.label, period: b.periodId, spendUsd: sum });
    }
    await this.scripts.initBudgets(entries);
  }

  private fallback(requestId: string, plan: AdmissionPlan, tokens: number, costNano: number, cause: Error): Admission {
    this.markDown(cause);
    const budgetScope = plan.scopes.find((s) => s.budgetNano !== null);
    if (planHasBudget(plan) && budgetScope) {
      this.counters.budgetRefused++;
      throw new LlmpError(
        ErrorCode.LimitsUnavailable,
        `The budget of ${budgetScope.label} cannot be checked because the limits store (Redis) is unreachable; ` +
          'requests under a budget are refused until it returns',
        { retryAfterSeconds: 5, data: { scope: budgetScope.kind, limit: 'budget' } },
      );
    }
    switch (this.onRedisDown) {
      case 'open':
        this.counters.open++;
        return { requestId, headers: {}, reservation: { mode: 'none', plan, tokens, costNano } };
      case 'closed':
        this.counters.closed++;
        throw new LlmpError(
          ErrorCode.LimitsUnavailable,
          'Rate limits cannot be checked because the limits store (Redis) is unreachable (limits.onRedisDown: closed)',
          { retryAfterSeconds: 5 },
        );
      case 'local': {
        this.counters.local++;
        const out = this.local.admit(requestId, plan, tokens);
        if (!out.ok) throw this.denial(plan, out.scope, out.limit, out.retryMs, rateLimitHeaders(plan, out.stats));
        // Written back with the shadow when Redis returns, and renewed there from then on.
        if (holdsSlots(plan)) this.slots.set(requestId, { plan, since: Date.now() });
        return { requestId, headers: rateLimitHeaders(plan, out.stats), reservation: { mode: 'local', plan, tokens, costNano } };
      }
    }
  }

  private denial(plan: AdmissionPlan, scopeIdx: number, limit: LimitName, retryMs: number, headers: Record<string, string>): LlmpError {
    const scope = plan.scopes[scopeIdx];
    const retryAfterSeconds = retryMs >= 0 ? Math.max(1, Math.ceil(retryMs / 1000)) : undefined;
    const data = { scope: scope.kind, limit };
    if (limit === 'budget') {
      const usd = (scope.budgetNano ?? 0) / NANO_PER_USD;
      const period = scope.budgetPeriod === 'total' ? 'in total' : `per ${scope.budgetPeriod ?? 'period'}`;
      return new LlmpError(
        ErrorCode.BudgetExceeded,
        `Budget exceeded: ${scope.label} has a budget of $${usd} ${period}`,
        { retryAfterSeconds, headers, data: { ...data, budgetUsd: usd, period: scope.budgetPeriod } },
      );
    }
    const what = {
      rpm: `${scope.rpm} requests per minute`,
      tpm: `${scope.tpm} tokens per minute`,
      parallel: `${scope.maxParallel} requests in parallel`,
    }[limit];
    return new LlmpError(ErrorCode.RateLimitExceeded, `Rate limit exceeded: ${scope.label} allows ${what}`, {
      retryAfterSeconds, headers, data,
    });
  }

  private neverFits(plan: AdmissionPlan, scopeIdx: number, limit: LimitName, tokens: number, costNano: number): LlmpError {
    const scope = plan.scopes[scopeIdx];
    const why = {
      rpm: `${scope.label} allows ${scope.rpm} requests per minute`,
      tpm: `it reserves ${tokens} tokens (prompt estimate + max output) but ${scope.label} allows ${scope.tpm} tokens per minute; lower max_tokens or shorten the prompt`,
      parallel: `${scope.label} allows ${scope.maxParallel} requests in parallel`,
      budget: `its worst-case cost $${costNano / NANO_PER_USD} exceeds the budget of ${scope.label} ($${(scope.budgetNano ?? 0) / NANO_PER_USD}); lower max_tokens`,
    }[limit];
    return new LlmpError(ErrorCode.RequestNeverFits, `Request can never be admitted: ${why}`, {
      data: { scope: scope.kind, limit, reservedTokens: tokens, reservedCostUsd: costNano / NANO_PER_USD },
    });
  }

  private markDown(cause: Error): void {
    if (this.counters.redisDown) return;
    this.counters.redisDown = true;
    this.counters.incidents++;
    this.logger.error({
      msg: 'limits store (Redis) unreachable: falling back',
      onRedisDown: this.onRedisDown,
      budgets: 'fail closed',
      error: cause.message,
    });
  }

  private markUp(restoredEntries: number): void {
    if (!this.counters.redisDown) return;
    this.counters.redisDown = false;
    this.logger.log({ msg: 'limits store (Redis) reachable again', restoredEntries, slotsInFlight: this.slots.size });
  }

  /**
   * Joins the settlements of this event-loop turn: one EVALSHA per plan at the turn's end (setImmediate), so a busy
   * replica sends one settle call for many requests instead of one each. Resolves once it ran (or was queued for
   * replay because Redis is away).
   */
  private runSettle(job: PendingSettle): Promise<void> {
    if (!this.client.usable) {
      this.enqueueSettle(job);
      return Promise.resolve();
    }
    return new Promise<void>((done) => this.settles.add(planSignature(job.plan), { job, done }));
  }

  private sendSettles(queued: QueuedSettle[]): void {
    const jobs = queued.map((q) => q.job);
    this.scripts
      .settleMany(jobs[0].plan, jobs)
      .catch((e: unknown) => {
        this.markDown(e as Error);
        for (const job of jobs) this.enqueueSettle(job);
      })
      .finally(() => {
        for (const q of queued) q.done();
      });
  }

  private enqueueSettle(job: PendingSettle): void {
    this.counters.settleFailures++;
    if (this.pending.length >= this.opts.maxPendingSettles) {
      // Dropped settlements only over-reserve until the window passes and the slot expires; never under-count.
      this.pending.shift();
    }
    this.pending.push(job);
  }

  /**
   * Replays the queued settlements in one round trip (one script call per plan and up to REPLAY_BATCH of them, all
   * written together): recovery, and so per-replica limits, should last as short as possible. Failed ones stay
   * queued; a settlement replayed twice counts once (its marker).
   */
  private async flushPending(): Promise<void> {
    if (this.pending.length === 0) return;
    const jobs = this.pending;
    this.pending = [];
    const byPlan = new Map<string, PendingSettle[]>();
    for (const job of jobs) {
      const sig = planSignature(job.plan);
      const group = byPlan.get(sig);
      if (group) group.push(job);
      else byPlan.set(sig, [job]);
    }
    const calls: Promise<PendingSettle[]>[] = [];
    for (const group of byPlan.values()) {
      for (let i = 0; i < group.length; i += REPLAY_BATCH) {
        const part = group.slice(i, i + REPLAY_BATCH);
        calls.push(this.scripts.settleMany(part[0].plan, part).then(() => [], () => part));
      }
    }
    const failed = (await Promise.all(calls)).flat();
    if (failed.length > 0) {
      this.pending.unshift(...failed);
      this.logger.warn({ msg: 'replaying settlements failed', left: this.pending.length });
    }
  }
}
