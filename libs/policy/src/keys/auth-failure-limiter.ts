/** The failed authentications one client address made in one UTC minute. */
export interface AuthFailureWindow {
  address: string;
  /** Start of the minute, epoch ms. */
  minuteStart: number;
  /** Every failed attempt: answered 401, or 429 once the address was over its limit. */
  failures: number;
  /** Of those, the ones answered 429 without a key lookup. */
  limited: number;
  firstAt: number;
  lastAt: number;
}

const MINUTE_MS = 60_000;

/**
 * Counts failed data plane authentications per client address in fixed UTC minutes, in process (per replica: no
 * Redis round trip, and nothing at all on a successful request beyond one Map read). An address with
 * `maxPerMinute` failures in the current minute is limited until the minute ends. The same windows are what the
 * audit trail records: one event per address per minute with its count. Bounded: past `maxAddresses` tracked in
 * one minute, the oldest address's window is handed out early instead of growing.
 */
export class AuthFailureLimiter {
  private windows = new Map<string, AuthFailureWindow>();
  private readonly overflow: AuthFailureWindow[] = [];
  /** Running totals since start, for `/metrics`. */
  readonly totals = { failures: 0, limited: 0 };

  constructor(
    /** 0 turns the limit off (failures are still counted and audited). */
    readonly maxPerMinute: number,
    private readonly maxAddresses = 50_000,
  ) {}

  /** Seconds until `address` may fail again, or 0 when it is under its limit. */
  limitedFor(address: string, now: number): number {
    if (this.maxPerMinute === 0 || this.windows.size === 0) return 0;
    const w = this.windows.get(address);
    if (!w || w.failures < this.maxPerMinute) return 0;
    const end = w.minuteStart + MINUTE_MS;
    return end > now ? Math.ceil((end - now) / 1000) : 0;
  }

  /** Counts one failed attempt (`limited`: it was refused with a 429, without a lookup). */
  record(address: string, now: number, limited: boolean): void {
    const minuteStart = now - (now % MINUTE_MS);
    let w = this.windows.get(address);
    if (w && w.minuteStart !== minuteStart) {
      this.overflow.push(w);
      w = undefined;
    }
    if (!w) {
      if (this.windows.size >= this.maxAddresses) {
        const oldest = this.windows.keys().next();
        if (!oldest.done) {
          this.overflow.push(this.windows.get(oldest.value)!);
          this.windows.delete(oldest.value);
        }
      }
      w = { address, minuteStart, failures: 0, limited: 0, firstAt: now, lastAt: now };
      // Re-inserted, so Map order stays the order in which addresses last started a window.
      this.windows.delete(address);
      this.windows.set(address, w);
    }
    w.failures++;
    this.totals.failures++;
    if (limited) {
      w.limited++;
      this.totals.limited++;
    }
    w.lastAt = now;
  }

  /** Takes the windows whose minute has ended (all of them with `all`), each exactly once. */
  takeClosed(now: number, all = false): AuthFailureWindow[] {
    const out = this.overflow.splice(0);
    const current = now - (now % MINUTE_MS);
    for (const [address, w] of this.windows) {
      if (all || w.minuteStart < current) {
        out.push(w);
        this.windows.delete(address);
      }
    }
    return out;
  }

  /** Addresses with a window open (for tests and metrics). */
  get tracked(): number {
    return this.windows.size;
  }
}
