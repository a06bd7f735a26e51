import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { POLICY_INVALIDATION_CHANNEL } from '@llmp/common';
import { ENV_CONFIG, REDIS_SUBSCRIBER, type EnvConfig } from '@llmp/infra';
import { GlobalAliasCache } from './global-alias.cache';
import { KeyAuthService, type InvalidationMessage } from './key-auth.service';

/** Every replica listens for control plane changes and drops the affected in-process entries at once. */
@Injectable()
export class PolicyInvalidationListener implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PolicyInvalidationListener.name);
  private readonly channel: string;
  private readonly onMessage = (channel: string, message: string): void => this.handle(channel, message);
  private readonly onReady = (): void => {
    // Messages may have been missed while disconnected; the 1 s local TTL bounds the gap, this closes it.
    this.keyAuth.clearLocal();
    void this.aliases.refresh();
  };

  constructor(
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis,
    @Inject(ENV_CONFIG) env: EnvConfig,
    private readonly keyAuth: KeyAuthService,
    private readonly aliases: GlobalAliasCache,
  ) {
    this.channel = env.redisPrefix + POLICY_INVALIDATION_CHANNEL;
  }

  async onModuleInit(): Promise<void> {
    this.subscriber.on('message', this.onMessage);
    this.subscriber.on('ready', this.onReady);
    await this.subscriber.subscribe(this.channel);
  }

  async onModuleDestroy(): Promise<void> {
    this.subscriber.off('message', this.onMessage);
    this.subscriber.off('ready', this.onReady);
    await this.subscriber.unsubscribe(this.channel).catch(() => undefined);
  }

  private handle(channel: string, message: string): void {
    if (channel !== this.channel) return;
    let msg: InvalidationMessage;
    try {
      msg = JSON.parse(message) as InvalidationMessage;
    } catch {
      this.logger.warn('ignored a malformed policy invalidation message');
      return;
    }
    this.keyAuth.applyInvalidation(msg);
    if (msg.aliases) void this.aliases.refresh();
  }
}
