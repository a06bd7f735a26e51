/** A target that is cooling down, for the admin console. */
export interface CooldownEntry {
  provider: string;
  model: string;
  /** Epoch ms at which the target is tried again. */
  until: number;
}

interface TargetHealth {
  failures: number;
  until: number;
}

/**
 * Consecutive-failure counting and cooldown deadlines per target (provider + model), in process. Pure bookkeeping:
 * time comes in as an argument, and sharing across replicas is the CooldownService's job.
 */
export class CooldownTracker {
  // provider -> model -> health; nested maps so a lookup never builds a key string on the hot path.
  private readonly byProvider = new Map<string, Map<string, TargetHealth>>();
  private cooling = 0;

  constructor(
    private readonly failuresToCool: number,
    private readonly cooldownMs: number,
  ) {}

  /** Epoch ms until which the target is cooling down, or 0 when it may be used at `now`. */
  coolingUntil(provider: string, model: string, now: number): number {
    if (this.cooling === 0) return 0;
    const h = this.byProvider.get(provider)?.get(model);
    if (!h || h.until === 0) return 0;
    if (h.until <= now) {
      h.until = 0;
      this.cooling--;
      return 0;
    }
    return h.until;
  }

  /** Records a failure; returns the new deadline when this failure starts a cooldown, else 0. */
  failure(provider: string, model: string, now: number): number {
    const h = this.entry(provider, model);
    h.failures++;
    if (this.cooldownMs <= 0 || h.failures < this.failuresToCool) return 0;
    h.failures = 0;
    this.setUntil(h, now + this.cooldownMs);
    return h.until;
  }

  /** A success ends the failure streak. */
  success(provider: string, model: string): void {
    const h = this.byProvider.get(provider)?.get(model);
    if (h && h.failures !== 0) h.failures = 0;
  }

  /** Applies a cooldown learned from another replica (or from Redis at boot); later deadlines win. */
  apply(provider: string, model: string, until: number, now: number): void {
    if (until <= now) return;
    const h = this.entry(provider, model);
    if (until > h.until) this.setUntil(h, until);
  }

  list(now: number): CooldownEntry[] {
    const out: CooldownEntry[] = [];
    if (this.cooling === 0) return out;
    for (const [provider, models] of this.byProvider) {
      for (const [model, h] of models) {
        if (h.until > now) out.push({ provider, model, until: h.until });
      }
    }
    return out;
  }

  private setUntil(h: TargetHealth, until: number): void {
    if (h.until === 0) this.cooling++;
    h.until = until;
  }

  private entry(provider: string, model: string): TargetHealth {
    let models = this.byProvider.get(provider);
    if (!models) {
      models = new Map();
      this.byProvider.set(provider, models);
    }
    let h = models.get(model);
    if (!h) {
      h = { failures: 0, until: 0 };
      models.set(model, h);
    }
    return h;
  }
}
