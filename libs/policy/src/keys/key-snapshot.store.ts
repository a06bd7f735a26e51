import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { ENV_CONFIG, REDIS, type EnvConfig } from '@llmp/infra';
import { parseCachedAuth, type CachedAuth } from './cached-auth';

const SNAP = 'keysnap:';
const EPOCH = 'keysnap:epoch';
const BY_KEY = 'keysnap:idx:key:';
const BY_TEAM = 'keysnap:idx:team:';

/** Known keys stay cached long: every change deletes them explicitly. Unknown hashes only briefly. */
const KEY_TTL_MS = 300_000;
const NONE_TTL_MS = 10_000;

// Stores only if no change was published since the caller read the epoch, so a slow cold load never caches a
// snapshot older than a revoke that committed meanwhile. Index sets let a change find every cached hash of a key.
const FILL_SCRIPT = `
local cur = redis.call('GET', KEYS[1]) or ''
if cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
for i = 3, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[4])
  redis.call('PEXPIRE', KEYS[i], ARGV[3])
end
return 1
`;

// Bumps the epoch, then deletes every hash listed in the given index sets plus the directly named entries.
// ARGV[1] is the full (prefixed) name stem of snapshot entries, because keys built inside Lua are not prefixed.
const INVALIDATE_SCRIPT = `
redis.call('INCR', KEYS[1])
local sets = tonumber(ARGV[2])
for i = 2, sets + 1 do
  local members = redis.call('SMEMBERS', KEYS[i])
  for _, h in ipairs(members) do redis.call('DEL', ARGV[1] .. h) end
  redis.call('DEL', KEYS[i])
end
for i = sets + 2, #KEYS do redis.call('DEL', KEYS[i]) end
return 1
`;

export interface SnapshotInvalidation {
  keyIds?: readonly string[];
  teamIds?: readonly string[];
  hashes?: readonly string[];
}

/** The Redis layer of the key snapshot cache, shared by every replica. */
@Injectable()
export class KeySnapshotStore {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(ENV_CONFIG) private readonly env: EnvConfig,
  ) {}

  async get(hash: string): Promise<CachedAuth | null> {
    const raw = await this.redis.get(SNAP + hash);
    return raw === null ? null : parseCachedAuth(raw);
  }

  /** The change counter to pass back to `fill`. */
  async epoch(): Promise<string> {
    return (await this.redis.get(EPOCH)) ?? '';
  }

  async fill(hash: string, value: CachedAuth, epoch: string): Promise<boolean> {
    const keys = [EPOCH, SNAP + hash];
    if (value.kind === 'key') {
      keys.push(BY_KEY + value.snapshot.keyId);
      if (value.snapshot.teamId) keys.push(BY_TEAM + value.snapshot.teamId);
    }
    const ttl = value.kind === 'key' ? KEY_TTL_MS : NONE_TTL_MS;
    const done = await this.redis.eval(FILL_SCRIPT, keys.length, ...keys, epoch, JSON.stringify(value), ttl, hash);
    return done === 1;
  }

  async invalidate(change: SnapshotInvalidation): Promise<void> {
    const sets = [...(change.keyIds ?? []).map((id) => BY_KEY + id), ...(change.teamIds ?? []).map((id) => BY_TEAM + id)];
    const direct = (change.hashes ?? []).map((h) => SNAP + h);
    const keys = [EPOCH, ...sets, ...direct];
    await this.redis.eval(INVALIDATE_SCRIPT, keys.length, ...keys, this.env.redisPrefix + SNAP, sets.length);
  }
}
