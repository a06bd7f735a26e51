const cache = new Map<string, RegExp>();

/** `*` matches any run of characters (including none); everything else is literal. */
export function globMatches(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  let re = cache.get(pattern);
  if (!re) {
    const body = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
    re = new RegExp(`^${body}$`, 's');
    if (cache.size < 10_000) cache.set(pattern, re);
  }
  return re.test(name);
}
