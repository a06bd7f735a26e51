import { forcedName, isConfiguredModel, type ModelResolution, type Principal } from '@llmp/common';
import { globMatches } from './glob';

/** How one level's list judged a request. */
export interface AllowlistLevelDecision {
  level: 'key' | 'team';
  allowedModels: string[];
  /**
   * `unrestricted`: the list is empty and the request is for a configured model; `model`: the name the list judges
   * matched `pattern`; `alias`: the list names the requested alias.
   */
  matchedBy: 'unrestricted' | 'model' | 'alias' | null;
  pattern: string | null;
}

export interface AllowlistDecision {
  allowed: boolean;
  levels: AllowlistLevelDecision[];
}

/**
 * The one name a list judges: the resolved model, or for a forced request its `provider://model` (never the part
 * after `://` alone, which any provider could serve under any meaning).
 */
export function allowlistName(resolution: ModelResolution): string {
  return resolution.forced ? forcedName(resolution.forced) : resolution.resolved;
}

function decideLevel(level: 'key' | 'team', list: string[], resolution: ModelResolution): AllowlistLevelDecision {
  const configured = isConfiguredModel(resolution);
  // An empty list means any configured model or alias, never an arbitrary upstream name.
  if (list.length === 0) return { level, allowedModels: list, matchedBy: configured ? 'unrestricted' : null, pattern: null };
  const name = allowlistName(resolution);
  // A forced target is granted only by an entry in `provider://model` form: a bare `*` means every model, not every
  // upstream name of every provider.
  const pattern = list.find((p) => (!resolution.forced || p.includes('://')) && globMatches(p, name));
  if (pattern !== undefined) return { level, allowedModels: list, matchedBy: 'model', pattern };
  // Naming an alias grants what it points to, when that is a configured model; only an exact entry counts, so a glob
  // can never grant an alias.
  const isAlias = resolution.aliasChain.length > 1;
  if (isAlias && configured && list.includes(resolution.requested)) {
    return { level, allowedModels: list, matchedBy: 'alias', pattern: resolution.requested };
  }
  return { level, allowedModels: list, matchedBy: null, pattern: null };
}

/**
 * Key ∩ team allowlists: every non-empty list must admit the request. Without auth (no key, no lists) the request is
 * judged as by empty lists: configured models only.
 */
export function decideAllowlist(principal: Principal, resolution: ModelResolution): AllowlistDecision {
  if (principal.kind !== 'key') return { allowed: isConfiguredModel(resolution), levels: [] };
  const levels = [decideLevel('key', principal.snapshot.key.allowedModels, resolution)];
  if (principal.snapshot.team) levels.push(decideLevel('team', principal.snapshot.team.allowedModels, resolution));
  return { allowed: levels.every((l) => l.matchedBy !== null), levels };
}
