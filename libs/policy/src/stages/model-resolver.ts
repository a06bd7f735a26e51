import { ErrorCode, LlmpError, type GatewayConfig, type ModelResolution, type Principal } from '@llmp/common';

/** Alias chains longer than this are treated as misconfiguration. */
export const MAX_ALIAS_DEPTH = 8;

const FORCED = /^([^:/\s]+):\/\/(.+)$/;

/** Where a name can be rewritten, most specific first. */
export interface AliasLayers {
  key: Readonly<Record<string, string>>;
  team: Readonly<Record<string, string>>;
  global: Readonly<Record<string, string>>;
}

export interface ModelCatalog {
  models: ReadonlySet<string>;
  providers: ReadonlySet<string>;
  /** `provider://model` of every configured target → the configured model it belongs to (the first, in config order). */
  targets: ReadonlyMap<string, string>;
}

/** The names a config makes resolvable; built once per config load, read per request. */
export function catalogOf(config: Pick<GatewayConfig, 'models' | 'providers'>): ModelCatalog {
  const targets = new Map<string, string>();
  for (const m of config.models) {
    for (const t of m.targets) {
      const name = `${t.provider}://${t.model}`;
      if (!targets.has(name)) targets.set(name, m.name);
    }
  }
  return { models: new Set(config.models.map((m) => m.name)), providers: new Set(config.providers.map((p) => p.name)), targets };
}

export function modelNotFound(name: string): LlmpError {
  return new LlmpError(
    ErrorCode.ModelNotFound,
    `The model \`${name}\` does not exist or you do not have access to it.`,
    { param: 'model' },
  );
}

export function aliasLayersOf(principal: Principal, global: Readonly<Record<string, string>>): AliasLayers {
  if (principal.kind !== 'key') return { key: {}, team: {}, global };
  return { key: principal.snapshot.key.modelAliases, team: principal.snapshot.team?.modelAliases ?? {}, global };
}

function own(map: Readonly<Record<string, string>>, name: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(map, name) ? map[name] : undefined;
}

/** The alias one name maps to, looking at the key, then the team, then the global aliases. */
export function aliasTarget(layers: AliasLayers, name: string): string | undefined {
  return own(layers.key, name) ?? own(layers.team, name) ?? own(layers.global, name);
}

/**
 * Follows aliases from the requested name to a canonical model (or a forced `provider://model`). Pure: the data
 * plane calls it per request with in-memory data only. A forced target that is a configured target of a configured
 * model resolves to that model (priced, capped, limited and recorded as it); any other forced target keeps its
 * `provider://model` name as the policy model.
 */
export function resolveModelName(requested: string, layers: AliasLayers, catalog: ModelCatalog): ModelResolution {
  const chain: string[] = [requested];
  let name = requested;
  for (let depth = 0; ; depth++) {
    const forced = FORCED.exec(name);
    if (forced) {
      const [, provider, model] = forced;
      if (!provider || !model || !catalog.providers.has(provider)) throw modelNotFound(requested);
      return { requested, resolved: catalog.targets.get(name) ?? name, aliasChain: chain, forced: { provider, model } };
    }
    const next = aliasTarget(layers, name);
    if (next === undefined || next === name) {
      if (catalog.models.has(name)) return { requested, resolved: name, aliasChain: chain };
      throw modelNotFound(requested);
    }
    if (chain.includes(next)) {
      // A cycle: a name that is also a real model ends the walk there; otherwise the aliases are broken.
      if (catalog.models.has(name)) return { requested, resolved: name, aliasChain: chain };
      throw modelNotFound(requested);
    }
    if (depth + 1 >= MAX_ALIAS_DEPTH) throw modelNotFound(requested);
    chain.push(next);
    name = next;
  }
}
