import type { AdmissionPlan, LimitName, ScopePlan, ScopeStats } from './reservation';

interface WindowEntry {
  id: string;
  at: number;
  tokens: number;
}

interface ScopeState {
  /** Oldest first; admissions append with a non-decreasing clock. */
  entries: WindowEntry[];
  head: number;
  tokenSum: number;
  byId: Map<string, WindowEntry>;
  inFlight: Map<string, number>;
}

/** What one scope held in the last window, to be written back to Redis when it returns. */
export interface ScopeShadow {
  /** The scope's Redis key base (hash tag included). */
  base: string;
  /** Admissions still in the window, oldest first: request id, admit time (ms), tokens. */
  entries: { id: string; at: number; tokens: number }[];
  /** Requests of this replica that hold a parallel slot of the scope now. */
  inFlight: string[];
}

export type LocalOutcome =
  | { ok: true; stats: ScopeStats[] }
  | { ok: false; scope: number; limit: LimitName; limitValue: number; retryMs: number; stats: ScopeStats[] };

/**
 * Per-replica rate limits with the Redis script's semantics (rolling window of requests and reserved tokens,
 * parallel slots with a safety expiry), used while Redis is unreachable and `onRedisDown` is `local`. Budgets are
 * not handled here: they fail closed. Never-fits is decided by the caller before.
 *
 * It is also this replica's shadow of Redis: every admission Redis grants is `record`ed here too (no check, no Redis
 * call), so when Redis goes away the local limits start from what this replica admitted in the last window instead
 * of from zero, and `shadow()` lists what to write back when Redis returns. Only this replica's own admissions are
 * known. A scope keeps only the newest entries that can still change a decision (at most `rpm` of them, and only
 * as many as reach `tpm`), so the shadow of a busy key costs what its limits allow, not its traffic.
 */
/** The newest admissions a scope's shadow keeps: the write-back and the local start cover at most these. */
export const SHADOW_MAX_ENTRIES = 1024;

export class LocalLimiter {
  private readonly scopes = new Map<string, ScopeState>();
  private readonly settled = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    /** A local slot whose request never settled frees after this long (a safety net; requests settle in process). */
    private readonly slotSafetyMs: number,
    private readonly settledTtlMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  admit(requestId: string, plan: AdmissionPlan, tokens: number): LocalOutcome {
    const now = this.clock();
    const stats: ScopeStats[] = [];
    let denied: Extract<LocalOutcome, { ok: false }> | null = null;
    const states = plan.scopes.map((s) => this.state(s.base));
    for (let i = 0; i < plan.scopes.length; i++) {
      const scope = plan.scopes[i];
      const st = states[i];
      this.trim(st, now);
      if (scope.maxParallel !== null) this.expireSlots(st, now);
      const count = st.entries.length - st.head;
      const oldest = st.entries[st.head];
      stats.push({ requests: count, tokens: st.tokenSum, resetMs: oldest ? oldest.at + this.windowMs - now : this.windowMs });
      if (denied) continue;
      if (scope.rpm !== null && count + 1 > scope.rpm) {
        const e = st.entries[st.head + count - scope.rpm];
        const retryMs = e ? e.at + this.windowMs - now : this.windowMs;
        denied = { ok: false, scope: i, limit: 'rpm', limitValue: scope.rpm, retryMs, stats };
      } else if (scope.tpm !== null && st.tokenSum + tokens > scope.tpm) {
        let need = st.tokenSum + tokens - scope.tpm;
        let retryMs = this.windowMs;
        for (let j = st.head; j < st.entries.length; j++) {
          need -= st.entries[j].tokens;
          if (need <= 0) {
            retryMs = st.entries[j].at + this.windowMs - now;
            break;
          }
        }
        denied = { ok: false, scope: i, limit: 'tpm', limitValue: scope.tpm, retryMs, stats };
      } else if (scope.maxParallel !== null && st.inFlight.size >= scope.maxParallel) {
        denied = { ok: false, scope: i, limit: 'parallel', limitValue: scope.maxParallel, retryMs: 1000, stats };
      }
    }
    if (denied) return denied;
    plan.scopes.forEach((scope, i) => {
      const st = states[i];
      if (scope.rpm !== null || scope.tpm !== null) {
        const entry = { id: requestId, at: now, tokens };
        st.entries.push(entry);
        st.byId.set(requestId, entry);
        st.tokenSum += tokens;
        if (stats[i].requests === 0) stats[i].resetMs = this.windowMs;
        stats[i].requests += 1;
        stats[i].tokens += tokens;
      }
      if (scope.maxParallel !== null) st.inFlight.set(requestId, now + this.slotSafetyMs);
      this.bound(st, scope);
    });
    return { ok: true, stats };
  }

  /** Notes an admission that Redis granted (the shadow): the same bookkeeping as `admit`, without any check. */
  record(requestId: string, plan: AdmissionPlan, tokens: number): void {
    const now = this.clock();
    for (const scope of plan.scopes) {
      const windowed = scope.rpm !== null || scope.tpm !== null;
      if (!windowed && scope.maxParallel === null) continue;
      const st = this.state(scope.base);
      if (windowed) {
        this.trim(st, now);
        st.entries.push({ id: requestId, at: now, tokens });
        st.tokenSum += tokens;
        this.bound(st, scope);
        // A shadow entry lives a minute; unbounded, a busy key's would outlive the young generation by the hundred thousand.
        while (st.entries.length - st.head > SHADOW_MAX_ENTRIES) {
          const e = st.entries[st.head++];
          st.tokenSum -= e.tokens;
        }
      }
      if (scope.maxParallel !== null) st.inFlight.set(requestId, now + this.slotSafetyMs);
    }
  }

  /** Frees the parallel slots of a request that Redis admitted and settled (its window entries stay). */
  release(requestId: string, plan: AdmissionPlan): void {
    for (const scope of plan.scopes) {
      if (scope.maxParallel === null) continue;
      const st = this.scopes.get(scope.base);
      if (st) st.inFlight.delete(requestId);
    }
  }

  /** Every scope's admissions still in the window and its slots in flight, for writing back to Redis. */
  shadow(): ScopeShadow[] {
    const now = this.clock();
    const out: ScopeShadow[] = [];
    for (const [base, st] of this.scopes) {
      this.trim(st, now);
      const entries = st.entries.slice(st.head).map((e) => ({ id: e.id, at: e.at, tokens: e.tokens }));
      if (entries.length || st.inFlight.size) out.push({ base, entries, inFlight: [...st.inFlight.keys()] });
    }
    return out;
  }

  /** Forgets scopes with nothing left in the window and nothing in flight (a timer calls it, not requests). */
  sweep(): void {
    const now = this.clock();
    for (const [base, st] of this.scopes) {
      this.trim(st, now);
      this.expireSlots(st, now);
      this.dropIfEmpty(base, st);
    }
  }

  /** Idempotent by request id; false when it was already settled. */
  settle(requestId: string, plan: AdmissionPlan, actualTokens: number): boolean {
    const now = this.clock();
    for (const [id, until] of this.settled) {
      if (until > now) break;
      this.settled.delete(id);
    }
    if (this.settled.has(requestId)) return false;
    this.settled.set(requestId, now + this.settledTtlMs);
    for (const scope of plan.scopes) {
      const st = this.scopes.get(scope.base);
      if (!st) continue;
      const entry = st.byId.get(requestId);
      if (entry) {
        st.tokenSum += actualTokens - entry.tokens;
        entry.tokens = actualTokens;
      }
      st.inFlight.delete(requestId);
      this.dropIfEmpty(scope.base, st);
    }
    return true;
  }

  /** Scopes held (tests, metrics). */
  get size(): number {
    return this.scopes.size;
  }

  private state(base: string): ScopeState {
    let st = this.scopes.get(base);
    if (!st) {
      st = { entries: [], head: 0, tokenSum: 0, byId: new Map(), inFlight: new Map() };
      this.scopes.set(base, st);
    }
    return st;
  }

  private trim(st: ScopeState, now: number): void {
    const cutoff = now - this.windowMs;
    while (st.head < st.entries.length && st.entries[st.head].at <= cutoff) {
      const e = st.entries[st.head++];
      st.tokenSum -= e.tokens;
      st.byId.delete(e.id);
    }
    // Compact occasionally so the array does not grow without bound.
    if (st.head > 1024 && st.head * 2 > st.entries.length) {
      st.entries = st.entries.slice(st.head);
      st.head = 0;
    }
  }

  private expireSlots(st: ScopeState, now: number): void {
    for (const [id, until] of st.inFlight) if (until <= now) st.inFlight.delete(id);
  }

  /**
   * Drops the oldest entries that cannot change a decision any more: with `rpm` newer entries the window is full
   * whatever they are, and tokens beyond `tpm` refuse every request either way. Keeps memory to what limits allow.
   */
  private bound(st: ScopeState, scope: ScopePlan): void {
    if (scope.rpm === null && scope.tpm === null) return;
    while (st.head < st.entries.length) {
      const oldest = st.entries[st.head];
      const rest = st.entries.length - st.head - 1;
      if (scope.rpm !== null && rest < scope.rpm) return;
      if (scope.tpm !== null && st.tokenSum - oldest.tokens < scope.tpm) return;
      st.head++;
      st.tokenSum -= oldest.tokens;
      st.byId.delete(oldest.id);
    }
  }

  private dropIfEmpty(base: string, st: ScopeState): void {
    if (st.head === st.entries.length && st.inFlight.size === 0) this.scopes.delete(base);
  }
}
