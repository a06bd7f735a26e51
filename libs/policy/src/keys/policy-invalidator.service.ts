import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { POLICY_INVALIDATION_CHANNEL } from '@llmp/common';
import { ENV_CONFIG, REDIS, type EnvConfig } from '@llmp/infra';
import type { InvalidationMessage } from './key-auth.service';
import { KeySnapshotStore } from './key-snapshot.store';

/**
 * Used by the control plane after a change commits: deletes the shared Redis snapshots and tells every replica to
 * drop what it holds in process. Called after the transaction, so no replica can reload the old row.
 */
@Injectable()
export class PolicyInvalidator {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(ENV_CONFIG) private readonly env: EnvConfig,
    private readonly store: KeySnapshotStore,
  ) {}

  /** A key changed (patch, revoke, rotate); `newHashes` are secrets just issued, which may be cached as unknown. */
  async keysChanged(keyIds: string[], newHashes: string[] = []): Promise<void> {
    await this.store.invalidate({ keyIds, hashes: newHashes });
    await this.publish({ keyIds, hashes: newHashes });
  }

  async teamChanged(teamId: string): Promise<void> {
    await this.store.invalidate({ teamIds: [teamId] });
    await this.publish({ teamIds: [teamId] });
  }

  async aliasesChanged(): Promise<void> {
    await this.publish({ aliases: true });
  }

  get channel(): string {
    return this.env.redisPrefix + POLICY_INVALIDATION_CHANNEL;
  }

  private async publish(msg: InvalidationMessage): Promise<void> {
    await this.redis.publish(this.channel, JSON.stringify(msg));
  }
}
