import type { CachedAuth } from './cached-auth';

interface LocalEntry {
  value: CachedAuth;
  freshUntil: number;
}

/**
 * The in-process layer in front of Redis: a short TTL so changes propagate even if an invalidation message is lost,
 * bounded in size, and able to serve a stale entry while Redis is unreachable.
 */
export class LocalSnapshotCache {
  private readonly entries = new Map<string, LocalEntry>();
  /** Bumped by every invalidation, so a load that started before it does not store what it read. */
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  get currentGeneration(): number {
    return this.generation;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The entry and whether it is still fresh; stale entries are kept for when Redis is away. */
  get(hash: string, now: number): { value: CachedAuth; fresh: boolean } | null {
    const e = this.entries.get(hash);
    return e ? { value: e.value, fresh: now < e.freshUntil } : null;
  }

  /** Stores unless an invalidation happened since `generation` was read. */
  set(hash: string, value: CachedAuth, now: number, generation: number): void {
    if (generation !== this.generation) return;
    this.entries.delete(hash);
    if (this.entries.size >= this.maxEntries) {
      // Map iteration is insertion order, so the first key is the least recently stored.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(hash, { value, freshUntil: now + this.ttlMs });
  }

  dropKeys(keyIds: readonly string[]): void {
    this.generation++;
    const ids = new Set(keyIds);
    for (const [h, e] of this.entries) if (e.value.kind === 'key' && ids.has(e.value.snapshot.keyId)) this.entries.delete(h);
  }

  dropTeam(teamId: string): void {
    this.generation++;
    for (const [h, e] of this.entries) if (e.value.kind === 'key' && e.value.snapshot.teamId === teamId) this.entries.delete(h);
  }

  /** Drops specific hashes, e.g. a new secret that may have been cached as unknown. */
  dropHashes(hashes: readonly string[]): void {
    this.generation++;
    for (const h of hashes) this.entries.delete(h);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}
