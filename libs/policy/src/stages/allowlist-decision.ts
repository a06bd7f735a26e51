import type { ModelResolution, Principal } from '@llmp/common';
import { globMatches } from './glob';

/** How one level's list judged a request. */
export interface AllowlistLevelDecision {
  level: 'key' | 'team';
  allowedModels: string[];
  /** `unrestricted`: the list is empty; `model`: the resolved model matched `pattern`; `alias`: the list names the requested alias. */
  matchedBy: 'unrestricted' | 'model' | 'alias' | null;
  pattern: string | null;
}

export interface AllowlistDecision {
  allowed: boolean;
  levels: AllowlistLevelDecision[];
}

/** The names a resolved model is known by for matching: the model, and for forced requests `provider://model`. */
function modelNames(resolution: ModelResolution): string[] {
  return resolution.forcedProvider
    ? [`${resolution.forcedProvider}://${resolution.resolved}`, resolution.resolved]
    : [resolution.resolved];
}

function decideLevel(level: 'key' | 'team', list: string[], resolution: ModelResolution): AllowlistLevelDecision {
  if (list.length === 0) return { level, allowedModels: list, matchedBy: 'unrestricted', pattern: null };
  for (const name of modelNames(resolution)) {
    const pattern = list.find((p) => globMatches(p, name));
    if (pattern !== undefined) return { level, allowedModels: list, matchedBy: 'model', pattern };
  }
  // Naming an alias grants what it points to; only an exact entry counts, so a glob can never grant an alias.
  const isAlias = resolution.aliasChain.length > 1;
  if (isAlias && list.includes(resolution.requested)) {
    return { level, allowedModels: list, matchedBy: 'alias', pattern: resolution.requested };
  }
  return { level, allowedModels: list, matchedBy: null, pattern: null };
}

/** Key ∩ team allowlists: every non-empty list must admit the request. */
export function decideAllowlist(principal: Principal, resolution: ModelResolution): AllowlistDecision {
  if (principal.kind !== 'key') return { allowed: true, levels: [] };
  const levels = [decideLevel('key', principal.snapshot.key.allowedModels, resolution)];
  if (principal.snapshot.team) levels.push(decideLevel('team', principal.snapshot.team.allowedModels, resolution));
  return { allowed: levels.every((l) => l.matchedBy !== null), levels };
}
