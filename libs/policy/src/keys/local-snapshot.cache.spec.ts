import { policyFields } from '../testing/principal.fixture';
import type { CachedAuth } from './cached-auth';
import { LocalSnapshotCache } from './local-snapshot.cache';

const entry = (keyId: string, teamId: string | null = null): CachedAuth => ({
  kind: 'key',
  revoked: false,
  validUntil: null,
  snapshot: { keyId, keyName: keyId, teamId, teamName: null, key: policyFields(), team: null, expiresAt: null },
});

describe('LocalSnapshotCache', () => {
  it('expires entries after the TTL but keeps them as stale', () => {
    const c = new LocalSnapshotCache(1000, 10);
    c.set('h', entry('k'), 0, c.currentGeneration);
    expect(c.get('h', 999)?.fresh).toBe(true);
    expect(c.get('h', 1000)?.fresh).toBe(false);
  });

  it('is bounded', () => {
    const c = new LocalSnapshotCache(1000, 2);
    for (const h of ['a', 'b', 'c']) c.set(h, { kind: 'none' }, 0, c.currentGeneration);
    expect(c.size).toBe(2);
    expect(c.get('a', 0)).toBeNull();
  });

  it('drops by key and team, and refuses loads that raced an invalidation', () => {
    const c = new LocalSnapshotCache(1000, 10);
    c.set('a', entry('k1', 't1'), 0, c.currentGeneration);
    c.set('b', entry('k2', 't2'), 0, c.currentGeneration);
    c.dropKeys(['k1']);
    expect(c.get('a', 0)).toBeNull();
    c.dropTeam('t2');
    expect(c.get('b', 0)).toBeNull();
    const gen = c.currentGeneration;
    c.dropHashes(['x']);
    c.set('late', entry('k3'), 0, gen);
    expect(c.get('late', 0)).toBeNull();
  });
});
