export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
  kind: 'added' | 'removed' | 'changed';
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Top-level field changes between an audit event's before and after (null = the object did not exist). */
export function diffObjects(before: Record<string, unknown> | null, after: Record<string, unknown> | null): FieldChange[] {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].sort();
  const out: FieldChange[] = [];
  for (const field of keys) {
    const b = before?.[field];
    const a = after?.[field];
    if (same(b, a)) continue;
    out.push({ field, before: b, after: a, kind: b === undefined ? 'added' : a === undefined ? 'removed' : 'changed' });
  }
  return out;
}
