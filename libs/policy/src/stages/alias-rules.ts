import { ErrorCode, isConfiguredModel, LlmpError } from '@llmp/common';
import { resolveModelName, type AliasLayers, type ModelCatalog } from './model-resolver';

/** Why one alias may not be saved, or null when it may. */
export interface AliasProblem {
  alias: string;
  /** Whether the alias's own name or where it points is wrong. */
  part: 'name' | 'target';
  message: string;
}

/**
 * The rules every alias layer (global, team, key; admin API and config) follows: an alias is not a configured
 * model's name (it would silently re-point that model) and leads, through aliases, to a configured model or a
 * configured target's `provider://model`, never to an arbitrary upstream name. `layers` holds the aliases as they
 * would be after the change.
 */
export function aliasProblem(alias: string, layers: AliasLayers, catalog: ModelCatalog): AliasProblem | null {
  if (alias.length < 1 || alias.length > 256 || alias.includes('://')) {
    return { alias, part: 'name', message: `The alias \`${alias}\` must be 1 to 256 characters without \`://\`.` };
  }
  // Every ingress trims the requested name, so an alias with surrounding white space could never be asked for.
  if (alias !== alias.trim()) {
    return { alias, part: 'name', message: `The alias \`${alias}\` has white space around it; clients' names are trimmed.` };
  }
  if (catalog.models.has(alias)) {
    return { alias, part: 'name', message: `The alias \`${alias}\` carries the name of a configured model.` };
  }
  try {
    const resolution = resolveModelName(alias, layers, catalog);
    if (isConfiguredModel(resolution)) return null;
  } catch {
    // Reported below like a forced target no model has: either way the alias leads to no configured model.
  }
  return { alias, part: 'target', message: `The alias \`${alias}\` does not lead to a configured model.` };
}

/** The first problem among a layer's aliases, checked with `layers` (which already hold them). */
export function firstAliasProblem(aliases: Readonly<Record<string, string>>, layers: AliasLayers, catalog: ModelCatalog): AliasProblem | null {
  for (const alias of Object.keys(aliases)) {
    const problem = aliasProblem(alias, layers, catalog);
    if (problem) return problem;
  }
  return null;
}

/** Throws 400 `invalid_request_error` naming `field` (e.g. `modelAliases`) at the first alias that breaks the rules. */
export function assertAliasesAllowed(
  field: string,
  aliases: Readonly<Record<string, string>>,
  layers: AliasLayers,
  catalog: ModelCatalog,
): void {
  const problem = firstAliasProblem(aliases, layers, catalog);
  if (problem) {
    throw new LlmpError(ErrorCode.InvalidRequest, `${field}: ${problem.message}`, { param: field, data: { field, alias: problem.alias } });
  }
}
