import type { PolicySnapshot } from '@llmp/common';

/** What the caches hold for one secret hash: a key's snapshot with its validity, or "no such key". */
export type CachedAuth =
  | {
      kind: 'key';
      snapshot: PolicySnapshot;
      revoked: boolean;
      /** Epoch ms after which this secret stops working (expiry, or the end of a rotation grace period). */
      validUntil: number | null;
    }
  | { kind: 'none' };

export function isUsable(entry: CachedAuth, now: number): entry is Extract<CachedAuth, { kind: 'key' }> {
  return entry.kind === 'key' && !entry.revoked && (entry.validUntil === null || now < entry.validUntil);
}

/** Parses a Redis cache value; anything unexpected is treated as a miss. */
export function parseCachedAuth(raw: string): CachedAuth | null {
  try {
    const v = JSON.parse(raw) as CachedAuth;
    if (v && (v.kind === 'none' || (v.kind === 'key' && typeof v.snapshot?.keyId === 'string'))) return v;
  } catch {
    // A corrupt entry is just a miss.
  }
  return null;
}
