/** Same matching as the policy's allowlist: `*` matches any run of characters, everything else is literal. */
export function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/** Which of `models` a list of patterns allows; an empty list allows everything (no restriction at this level). */
export function matchModels(patterns: string[], models: string[]): string[] {
  if (!patterns.length) return models;
  const res = patterns.map(globToRegExp);
  return models.filter((m) => res.some((r) => r.test(m)));
}
