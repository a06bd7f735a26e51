import type { GatewayConfig, ModelConfig, ProviderConfig } from '@llmp/common';
import { ErrorCode, LlmpError } from '@llmp/common';
import type { RoutePlan, RouteTarget } from '../routing.types';

/** What the planner needs to know about target health: a pure in-memory lookup. */
export interface TargetHealthView {
  /** Epoch ms until which the target is skipped, or 0. */
  coolingUntil(provider: string, model: string, now: number): number;
}

interface CompiledModel {
  /** Targets grouped by priority, lowest priority number first; each group in config order. */
  groups: readonly (readonly RouteTarget[])[];
  /** Whether any group has several targets, i.e. whether the order is random at all. */
  weighted: boolean;
  /** The plan when nothing is cooling down and no weights apply; shared, never mutated. */
  fixed: RoutePlan;
}

/**
 * Turns a canonical model into the ordered targets to try: by priority, then a weighted random order among equal
 * priorities, skipping targets that are cooling down. Everything derivable from the config is computed once here,
 * so a typical request allocates nothing (single target, nothing cooling).
 */
export class RoutePlanner {
  private readonly compiled = new Map<string, CompiledModel>();
  private readonly providers = new Map<string, ProviderConfig>();

  constructor(
    config: GatewayConfig,
    private readonly random: () => number = Math.random,
  ) {
    for (const p of config.providers) this.providers.set(p.name, p);
    for (const m of config.models) this.compiled.set(m.name, this.compile(m));
  }

  plan(model: string, forcedProvider: string | undefined, health: TargetHealthView, now: number): RoutePlan {
    if (forcedProvider !== undefined) return this.forced(model, forcedProvider, health, now);
    const m = this.compiled.get(model);
    if (!m) throw new LlmpError(ErrorCode.ModelNotFound, `The model \`${model}\` does not exist`, { param: 'model' });

    let skipped = 0;
    let soonest = Infinity;
    for (const group of m.groups) {
      for (const t of group) {
        const until = health.coolingUntil(t.provider.name, t.model, now);
        if (until) {
          skipped++;
          if (until < soonest) soonest = until;
        }
      }
    }
    if (skipped === 0 && !m.weighted) return m.fixed;
    if (skipped === m.fixed.targets.length) throw noProvider(model, soonest, now);

    const targets: RouteTarget[] = [];
    for (const group of m.groups) {
      const start = targets.length;
      for (const t of group) {
        if (!skipped || !health.coolingUntil(t.provider.name, t.model, now)) targets.push(t);
      }
      if (targets.length - start > 1) weightedShuffle(targets, start, this.random);
    }
    return { model, targets };
  }

  private forced(model: string, providerName: string, health: TargetHealthView, now: number): RoutePlan {
    const provider = this.providers.get(providerName);
    if (!provider) {
      throw new LlmpError(ErrorCode.ModelNotFound, `The provider \`${providerName}\` does not exist`, { param: 'model' });
    }
    const until = health.coolingUntil(provider.name, model, now);
    if (until) throw noProvider(`${providerName}://${model}`, until, now);
    return { model, targets: [{ provider, model, priority: 0, weight: 1 }] };
  }

  private compile(m: ModelConfig): CompiledModel {
    const targets: RouteTarget[] = [];
    for (const t of m.targets) {
      const provider = this.providers.get(t.provider);
      // The config loader rejects unknown providers; this guards configs built by hand in tests.
      if (provider) targets.push(Object.freeze({ provider, model: t.model, priority: t.priority, weight: t.weight }));
    }
    // A stable sort keeps config order within a priority.
    const sorted = [...targets].sort((a, b) => a.priority - b.priority);
    const groups: RouteTarget[][] = [];
    for (const t of sorted) {
      const last = groups[groups.length - 1];
      if (last && last[0].priority === t.priority) last.push(t);
      else groups.push([t]);
    }
    return {
      groups,
      weighted: groups.some((g) => g.length > 1),
      fixed: Object.freeze({ model: m.name, targets: Object.freeze(sorted) as RouteTarget[] }),
    };
  }
}

/**
 * Orders targets[start..] by weighted sampling without replacement: each position is drawn with probability
 * proportional to weight among those left. Zero-weight targets keep their config order at the end (fallbacks only).
 */
export function weightedShuffle(targets: RouteTarget[], start: number, random: () => number): void {
  let end = targets.length;
  // Move zero weights to the tail, preserving their relative order.
  let write = start;
  const zeros: RouteTarget[] = [];
  for (let i = start; i < end; i++) {
    if (targets[i].weight > 0) targets[write++] = targets[i];
    else zeros.push(targets[i]);
  }
  for (let i = 0; i < zeros.length; i++) targets[write + i] = zeros[i];
  end = write;

  let total = 0;
  for (let i = start; i < end; i++) total += targets[i].weight;
  for (let pos = start; pos < end - 1; pos++) {
    let r = random() * total;
    let pick = end - 1;
    for (let i = pos; i < end; i++) {
      r -= targets[i].weight;
      if (r < 0) {
        pick = i;
        break;
      }
    }
    const chosen = targets[pick];
    // Shift rather than swap, so the remaining targets keep their relative order (deterministic for tests).
    for (let i = pick; i > pos; i--) targets[i] = targets[i - 1];
    targets[pos] = chosen;
    total -= chosen.weight;
  }
}

function noProvider(model: string, soonest: number, now: number): LlmpError {
  const retryAfterSeconds = Math.max(1, Math.ceil((soonest - now) / 1000));
  return new LlmpError(
    ErrorCode.NoProviderAvailable,
    `No provider is available for \`${model}\`: every target is cooling down after repeated failures; retry in ${retryAfterSeconds}s`,
    { retryAfterSeconds, headers: { 'retry-after': String(retryAfterSeconds) } },
  );
}
