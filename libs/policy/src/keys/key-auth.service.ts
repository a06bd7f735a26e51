import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ErrorCode, LlmpError, type GatewayConfig, type PolicySnapshot, type Principal } from '@llmp/common';
import { GATEWAY_CONFIG, withTimeout } from '@llmp/infra';
import { ApiKeyRepository } from '../repositories/api-key.repository';
import type { KeyAuthRecord } from '../repositories/policy-records';
import { isUsable, type CachedAuth } from './cached-auth';
import { hashKeySecret, isWellFormedKey } from './key-material';
import { KeySnapshotStore } from './key-snapshot.store';
import { LocalSnapshotCache } from './local-snapshot.cache';

/** One message for every reason a key is refused, so a caller learns nothing about which keys exist. */
export const INVALID_API_KEY_MESSAGE =
  'Invalid API key. Send a valid llmp key as `Authorization: Bearer llmp_...` (or x-api-key).';
const CONFLICTING_KEYS_MESSAGE = 'More than one different API key was sent in one request; send exactly one.';

const LOCAL_TTL_MS = 1000;
/** While Redis is marked down, one lookup at most this often checks whether it is back (in the background). */
const REDIS_PROBE_MS = 1000;
const LOCAL_MAX_ENTRIES = 50_000;
/**
 * Unknown hashes are held apart from known keys, so a flood of random keys cannot push warm keys out of memory,
 * and longer (as long as Redis holds them): a secret only becomes valid by a create or rotation, and both announce
 * the new hash, which drops it here at once.
 */
const NEGATIVE_TTL_MS = 10_000;
const NEGATIVE_MAX_ENTRIES = 10_000;

/** What a policy invalidation message asks a replica to forget. */
export interface InvalidationMessage {
  keyIds?: string[];
  teamIds?: string[];
  hashes?: string[];
  aliases?: boolean;
}

function toCached(r: KeyAuthRecord): CachedAuth {
  const snapshot: PolicySnapshot = {
    keyId: r.keyId,
    keyName: r.keyName,
    teamId: r.teamId,
    teamName: r.teamName,
    key: r.key,
    team: r.team,
    expiresAt: r.expiresAt ? r.expiresAt.getTime() : null,
    ...(r.debugLogging && { debugLogging: true }),
  };
  const limits = [r.expiresAt?.getTime(), r.previousSecretValidUntil?.getTime()].filter((t): t is number => t !== undefined);
  return { kind: 'key', snapshot, revoked: r.revokedAt !== null, validUntil: limits.length ? Math.min(...limits) : null };
}

/**
 * Turns the credentials a request carried into a principal. Warm keys are answered from memory; Redis next;
 * Postgres only for a hash no cache knows (unknown hashes are cached too, so garbage never reaches Postgres twice).
 *
 * Redis is asked with a deadline (`limits.redisTimeoutMs`): an error or a timeout marks it down (logged once per
 * incident), and while it is down lookups do not touch it: a key known in process is served from memory at once, an
 * unknown one from Postgres, and a background probe at most once a second notices when Redis answers again.
 */
@Injectable()
export class KeyAuthService implements OnModuleInit {
  private readonly logger = new Logger(KeyAuthService.name);
  private readonly local = new LocalSnapshotCache(LOCAL_TTL_MS, LOCAL_MAX_ENTRIES);
  private readonly negative = new LocalSnapshotCache(NEGATIVE_TTL_MS, NEGATIVE_MAX_ENTRIES);
  private readonly inFlight = new Map<string, Promise<CachedAuth>>();
  private redisDown = false;
  private probing = false;
  private nextProbeAt = 0;
  /** Cold lookups that could not use a store: Redis (answered from memory or Postgres) or Postgres (failed). */
  private readonly fallbacks = { redisUnreachable: 0, postgresUnreachable: 0 };
  /** Lookups that left process memory, by store: what a flood of unknown keys costs. */
  private readonly storeLookups = { redis: 0, postgres: 0 };

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly store: KeySnapshotStore,
    private readonly keys: ApiKeyRepository,
  ) {}

  onModuleInit(): void {
    if (this.config.auth.mode === 'disabled') {
      this.logger.warn('Authentication is DISABLED (auth.mode: disabled): every request runs as anonymous, without key policy');
    }
  }

  async authenticate(credentials: readonly string[]): Promise<Principal> {
    if (this.config.auth.mode === 'disabled') return { kind: 'anonymous' };
    const entry = await this.lookup(hashKeySecret(this.secretOf(credentials)));
    if (!isUsable(entry, Date.now())) throw this.invalid();
    return { kind: 'key', snapshot: entry.snapshot };
  }

  /**
   * The principal when the key is valid and known to memory or Redis, else null; never asks Postgres. For clients
   * that already failed too often: their guesses cost no database lookup. A key this replica served before still
   * passes after its Redis entry expired (from the last snapshot held here, as during a Redis outage).
   */
  async authenticateCached(credentials: readonly string[]): Promise<Principal | null> {
    if (this.config.auth.mode === 'disabled') return { kind: 'anonymous' };
    let hash: string;
    try {
      hash = hashKeySecret(this.secretOf(credentials));
    } catch {
      return null;
    }
    const now = Date.now();
    const hit = this.local.get(hash, now);
    const unknown = this.negative.get(hash, now);
    let entry = hit?.fresh ? hit.value : unknown?.fresh ? unknown.value : null;
    if (entry === null && !this.redisDown) {
      this.storeLookups.redis++;
      entry = await this.withDeadline(this.store.get(hash), 'key snapshot lookup').catch((e: unknown) => {
        this.markRedisDown(e as Error);
        return null;
      });
      if (entry) this.remember(hash, entry, this.local.currentGeneration, this.negative.currentGeneration);
      else entry = hit?.value ?? null;
    } else if (entry === null) {
      entry = hit?.value ?? null;
    }
    return entry && isUsable(entry, now) ? { kind: 'key', snapshot: entry.snapshot } : null;
  }

  /** Applies a policy change announced by the control plane (called by the invalidation listener). */
  applyInvalidation(msg: InvalidationMessage): void {
    if (msg.keyIds?.length) this.local.dropKeys(msg.keyIds);
    for (const t of msg.teamIds ?? []) this.local.dropTeam(t);
    if (msg.hashes?.length) {
      this.local.dropHashes(msg.hashes);
      this.negative.dropHashes(msg.hashes);
    }
  }

  /** Running totals of store fallbacks, for `/metrics`. */
  fallbackStats(): Readonly<{ redisUnreachable: number; postgresUnreachable: number }> {
    return this.fallbacks;
  }

  /** Running totals of lookups that left memory (Redis reads, Postgres queries), for `/metrics`. */
  storeLookupStats(): Readonly<{ redis: number; postgres: number }> {
    return this.storeLookups;
  }

  /** Forgets everything held in process (tests, and a resubscribe after a lost connection). */
  clearLocal(): void {
    this.local.clear();
    this.negative.clear();
  }

  private invalid(): LlmpError {
    return new LlmpError(ErrorCode.InvalidApiKey, INVALID_API_KEY_MESSAGE);
  }

  /** The one well-formed secret the request carried; two different ones, none, or a malformed one are a 401. */
  private secretOf(credentials: readonly string[]): string {
    const distinct = new Set<string>();
    for (const c of credentials) if (typeof c === 'string' && c.trim() !== '') distinct.add(c.trim());
    if (distinct.size > 1) throw new LlmpError(ErrorCode.InvalidApiKey, CONFLICTING_KEYS_MESSAGE);
    const [secret] = distinct;
    if (secret === undefined || !isWellFormedKey(secret)) throw this.invalid();
    return secret;
  }

  /** Stores a lookup's answer in the in-process layer it belongs to, unless an invalidation came in meanwhile. */
  private remember(hash: string, value: CachedAuth, generation: number, negativeGeneration: number): void {
    if (value.kind === 'none') this.negative.set(hash, value, Date.now(), negativeGeneration);
    else this.local.set(hash, value, Date.now(), generation);
  }

  private async lookup(hash: string): Promise<CachedAuth> {
    const now = Date.now();
    const hit = this.local.get(hash, now);
    if (hit?.fresh) return hit.value;
    const unknown = this.negative.get(hash, now);
    if (unknown?.fresh) return unknown.value;
    const pending = this.inFlight.get(hash);
    if (pending) return pending;
    const load = this.loadShared(hash, hit?.value ?? unknown?.value ?? null).finally(() => this.inFlight.delete(hash));
    this.inFlight.set(hash, load);
    return load;
  }

  private async loadShared(hash: string, stale: CachedAuth | null): Promise<CachedAuth> {
    const generation = this.local.currentGeneration;
    const negativeGeneration = this.negative.currentGeneration;
    let epoch: string | null = null;
    if (this.redisDown) {
      this.fallbacks.redisUnreachable++;
      this.probeRedis();
      if (stale) return stale;
    } else {
      try {
        this.storeLookups.redis++;
        const cached = await this.withDeadline(this.store.get(hash), 'key snapshot lookup');
        if (cached) {
          this.remember(hash, cached, generation, negativeGeneration);
          return cached;
        }
        epoch = await this.withDeadline(this.store.epoch(), 'key snapshot epoch');
      } catch (e) {
        this.fallbacks.redisUnreachable++;
        this.markRedisDown(e as Error);
        // Keep authenticating from what this process already knows while Redis is away.
        if (stale) return stale;
      }
    }
    this.storeLookups.postgres++;
    const record = await this.keys.findAuthRecordByHash(hash).catch(() => {
      this.fallbacks.postgresUnreachable++;
      // A retryable 503, not a 500: the key may be fine, the store that knows it is away (cached keys keep working).
      throw new LlmpError(ErrorCode.KeysUnavailable, 'The API key cannot be checked right now because the key store is unreachable; retry shortly', {
        retryAfterSeconds: 5,
      });
    });
    const value: CachedAuth = record ? toCached(record) : { kind: 'none' };
    this.remember(hash, value, generation, negativeGeneration);
    if (epoch !== null) {
      await this.withDeadline(this.store.fill(hash, value, epoch), 'key snapshot fill').catch((e: unknown) => {
        this.logger.warn(`could not cache a key snapshot in Redis: ${(e as Error).message}`);
      });
    }
    return value;
  }

  private withDeadline<T>(work: Promise<T>, what: string): Promise<T> {
    return withTimeout(work, this.config.limits.redisTimeoutMs, what);
  }

  private markRedisDown(cause: Error): void {
    if (this.redisDown) return;
    this.redisDown = true;
    this.nextProbeAt = Date.now() + REDIS_PROBE_MS;
    this.logger.error(`Redis unreachable for key snapshots, serving from memory and Postgres: ${cause.message}`);
  }

  /** Asks Redis for the epoch in the background; an answer in time ends the incident. */
  private probeRedis(): void {
    const now = Date.now();
    if (this.probing || now < this.nextProbeAt) return;
    this.probing = true;
    this.nextProbeAt = now + REDIS_PROBE_MS;
    this.withDeadline(this.store.epoch(), 'key snapshot probe').then(
      () => {
        this.probing = false;
        if (!this.redisDown) return;
        this.redisDown = false;
        this.logger.log('Redis reachable again for key snapshots');
      },
      () => {
        this.probing = false;
      },
    );
  }
}
