import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { AuditEventInput, GatewayConfig, ModelPricing } from '@llmp/common';

/** Names added, removed and changed between two configs. Names only: never a URL's secret or an `apiKey`. */
export interface NameChanges {
  added: string[];
  removed: string[];
  changed: string[];
}

export interface PriceChange {
  model: string;
  before: ModelPricing | null;
  after: ModelPricing | null;
}

/** What a reload changed, for its audit event and the API's answer. */
export interface ConfigChangeSummary {
  providers: NameChanges;
  models: NameChanges;
  aliases: NameChanges;
  prices: PriceChange[];
}

function byName<T extends { name: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((i) => [i.name, i]));
}

function diff<T>(before: Map<string, T>, after: Map<string, T>): NameChanges {
  const out: NameChanges = { added: [], removed: [], changed: [] };
  for (const [name, b] of before) {
    const a = after.get(name);
    if (a === undefined) out.removed.push(name);
    // Compared whole (credentials included), reported by name only.
    else if (JSON.stringify(a) !== JSON.stringify(b)) out.changed.push(name);
  }
  for (const name of after.keys()) if (!before.has(name)) out.added.push(name);
  return out;
}

/** Providers, models (targets), aliases and prices that differ between `before` and `after`. */
export function summarizeConfigChange(before: GatewayConfig, after: GatewayConfig): ConfigChangeSummary {
  const prices: PriceChange[] = [];
  const beforeModels = byName(before.models);
  const afterModels = byName(after.models);
  for (const name of new Set([...beforeModels.keys(), ...afterModels.keys()])) {
    const b = beforeModels.get(name)?.pricing ?? null;
    const a = afterModels.get(name)?.pricing ?? null;
    if (JSON.stringify(a) !== JSON.stringify(b)) prices.push({ model: name, before: b, after: a });
  }
  // A provider's price (forced calls no configured model has) is listed under the name the price book gives it.
  const beforeProviders = byName(before.providers);
  const afterProviders = byName(after.providers);
  for (const name of new Set([...beforeProviders.keys(), ...afterProviders.keys()])) {
    const b = beforeProviders.get(name)?.pricing ?? null;
    const a = afterProviders.get(name)?.pricing ?? null;
    if (JSON.stringify(a) !== JSON.stringify(b)) prices.push({ model: `${name}://*`, before: b, after: a });
  }
  const stripPricing = (m: Map<string, GatewayConfig['models'][number]>) =>
    new Map([...m].map(([k, v]) => [k, { name: v.name, targets: v.targets }]));
  return {
    providers: diff(beforeProviders, afterProviders),
    models: diff(stripPricing(beforeModels), stripPricing(afterModels)),
    aliases: diff(new Map(Object.entries(before.aliases)), new Map(Object.entries(after.aliases))),
    prices,
  };
}

/** The outcome of a reload as an audit event recorded (status, file, change summary, problem count); never secrets. */
export interface ReloadAuditFacts {
  status: 'applied' | 'unchanged' | 'rejected';
  source: string;
  changes: ConfigChangeSummary | null;
  restartRequired: string[];
  problems: number;
}

/**
 * A `config.reload` audit event for a reload that was not an admin API call (SIGHUP): the actor is the system, and
 * the process that reloaded is named (`api@host:pid`), since a signal carries no identity.
 */
export function signalReloadAuditEvent(app: string, signal: string, facts: ReloadAuditFacts): AuditEventInput {
  return {
    eventId: randomUUID(),
    time: new Date().toISOString(),
    actorType: 'system',
    actorId: signal,
    action: 'config.reload',
    target: `config:${app}@${hostname()}:${process.pid}`,
    before: null,
    after: facts,
    requestId: null,
    sourceIp: null,
  };
}
