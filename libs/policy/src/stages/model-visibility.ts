import { Injectable } from '@nestjs/common';
import type { ModelResolution, Principal } from '@llmp/common';
import { GlobalAliasCache } from '../keys/global-alias.cache';
import { decideAllowlist } from './allowlist-decision';
import { aliasLayersOf, resolveModelName, type ModelCatalog } from './model-resolver';

function tryResolve(
  name: string,
  principal: Principal,
  global: Readonly<Record<string, string>>,
  catalog: ModelCatalog,
): ModelResolution | null {
  try {
    return resolveModelName(name, aliasLayersOf(principal, global), catalog);
  } catch {
    // Names that do not resolve are simply not listed.
    return null;
  }
}

/** What `GET /v1/models` may show a principal: models and aliases it can actually use, nothing about upstreams. */
@Injectable()
export class ModelVisibility {
  constructor(private readonly globalAliases: GlobalAliasCache) {}

  /**
   * Names (models and aliases, sorted) that resolve and pass the allowlist for this principal, judged exactly as a
   * request for them would be (an alias to a forced target no configured model has is listed only where the lists
   * name that `provider://model`). `aliases` defaults to the global aliases in process; key and team aliases come
   * from the principal.
   */
  visibleModels(
    principal: Principal,
    catalog: ModelCatalog,
    aliases: Readonly<Record<string, string>> = this.globalAliases.all,
  ): string[] {
    const candidates = new Set<string>([...catalog.models, ...Object.keys(aliases)]);
    if (principal.kind === 'key') {
      for (const a of Object.keys(principal.snapshot.key.modelAliases)) candidates.add(a);
      for (const a of Object.keys(principal.snapshot.team?.modelAliases ?? {})) candidates.add(a);
    }
    const visible: string[] = [];
    for (const name of candidates) {
      // Forced-provider names reveal providers; they are usable but never listed.
      if (name.includes('://')) continue;
      const resolution = tryResolve(name, principal, aliases, catalog);
      if (resolution && decideAllowlist(principal, resolution).allowed) visible.push(name);
    }
    return visible.sort();
  }
}
