import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { registerSecret, setConfigSecrets, type GatewayConfig } from '@llmp/common';
import { summarizeConfigChange, type ConfigChangeSummary, type ReloadAuditFacts } from './config-change';
import type { EnvConfig } from './env.config';
import { ConfigError, type ConfigProblem, loadGatewayConfig } from './gateway-config.loader';

/** What a reload did: applied, unchanged, or rejected with the new file's problems (the old config stays). */
export interface ConfigReloadResult {
  status: 'applied' | 'unchanged' | 'rejected';
  source: string;
  providers: number;
  models: number;
  problems: ConfigProblem[];
  /** Sections that changed but only take effect after a restart. */
  restartRequired: string[];
  /** What an applied reload changed (providers, models, aliases, prices); null otherwise. */
  changes: ConfigChangeSummary | null;
}

/** The facts of a reload its audit event records. */
export function reloadAuditFacts(r: ConfigReloadResult): ReloadAuditFacts {
  return { status: r.status, source: r.source, changes: r.changes, restartRequired: r.restartRequired, problems: r.problems.length };
}

export type ConfigListener = (next: GatewayConfig, previous: GatewayConfig) => void;

/** Pub/sub channel (install prefix added) on which the control plane asks every replica to reload. */
export const CONFIG_RELOAD_CHANNEL = 'config:reload';

/** Sections read once at boot (listener sizes, limiter mode, cooldown tuning); a change there needs a restart. */
const BOOT_ONLY: readonly (keyof GatewayConfig)[] = ['server', 'auth', 'routing', 'limits'];

/**
 * Holds the live gateway config. Consumers that derive state from it (route planner, model catalog, price book)
 * read `current()` or subscribe with `onChange`; a reload swaps the whole object at once, so a request in flight
 * keeps the targets it already planned and the next request sees the new file. A file that does not validate is
 * rejected with its problems logged, and the old config stays in force.
 */
export class ConfigStore implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ConfigStore.name);
  private readonly listeners = new Set<ConfigListener>();
  private readonly channel: string;
  private config: GatewayConfig;
  private fingerprint: string;
  private readonly onMessage = (channel: string): void => {
    if (channel === this.channel) this.reload('pub/sub request');
  };

  constructor(
    private readonly env: EnvConfig,
    initial: GatewayConfig,
    private readonly subscriber: Redis | null,
    private readonly publisher: Redis | null,
  ) {
    this.config = initial;
    this.fingerprint = fingerprintOf(initial);
    setConfigSecrets(initial);
    registerSecret(env.masterKey);
    // Pub/sub channels are not covered by ioredis' keyPrefix, so the install prefix is added here.
    this.channel = env.redisPrefix + CONFIG_RELOAD_CHANNEL;
  }

  async onModuleInit(): Promise<void> {
    if (!this.subscriber) return;
    this.subscriber.on('message', this.onMessage);
    // Boot never waits on Redis for this: SIGHUP still reloads when pub/sub is unavailable.
    void this.subscriber.subscribe(this.channel).catch((e: unknown) => {
      this.logger.warn(`config reload channel unavailable (${(e as Error).message}); SIGHUP still reloads this process`);
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.subscriber?.off('message', this.onMessage);
    if (this.subscriber?.status === 'ready') await this.subscriber.unsubscribe(this.channel).catch(() => undefined);
  }

  current(): GatewayConfig {
    return this.config;
  }

  /** Calls `listener` after every applied reload; returns an unsubscribe function. */
  onChange(listener: ConfigListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Re-reads the config file; applies it only when it validates. Never throws. */
  reload(reason = 'request'): ConfigReloadResult {
    let next: GatewayConfig;
    try {
      next = loadGatewayConfig(this.env.configPath);
    } catch (e) {
      const problems = e instanceof ConfigError ? e.problems : [{ line: 0, path: '', message: (e as Error).message }];
      this.logger.error(`config reload (${reason}) rejected; keeping the running config:\n${(e as Error).message}`);
      return this.result('rejected', this.config, problems, [], null);
    }
    const fp = fingerprintOf(next);
    if (fp === this.fingerprint) return this.result('unchanged', next, [], [], null);
    const previous = this.config;
    const changes = summarizeConfigChange(previous, next);
    const restartRequired = BOOT_ONLY.filter((k) => JSON.stringify(previous[k]) !== JSON.stringify(next[k]));
    // Boot-only sections keep their running values, so the process stays consistent with what it was started with.
    for (const k of restartRequired) (next as unknown as Record<string, unknown>)[k] = previous[k];
    this.config = next;
    this.fingerprint = fp;
    setConfigSecrets(next);
    for (const listener of this.listeners) {
      try {
        listener(next, previous);
      } catch (e) {
        this.logger.error(`a config listener failed: ${(e as Error).message}`);
      }
    }
    this.logger.log(
      `config reloaded (${reason}) from ${next.source}: ${next.providers.length} providers, ${next.models.length} models` +
        (restartRequired.length ? `; changes to ${restartRequired.join(', ')} apply after a restart` : ''),
    );
    return this.result('applied', next, [], restartRequired, changes);
  }

  /** Asks every process of this install (all data plane replicas included) to reload through Redis pub/sub. */
  async broadcastReload(): Promise<number> {
    if (!this.publisher) return 0;
    return this.publisher.publish(this.channel, String(Date.now()));
  }

  private result(
    status: ConfigReloadResult['status'],
    config: GatewayConfig,
    problems: ConfigProblem[],
    restartRequired: string[],
    changes: ConfigChangeSummary | null,
  ): ConfigReloadResult {
    return { status, source: config.source, providers: config.providers.length, models: config.models.length, problems, restartRequired, changes };
  }
}

/** Secrets are part of the config (resolved `${ENV}`), so the fingerprint is compared, never logged. */
function fingerprintOf(config: GatewayConfig): string {
  return JSON.stringify({ ...config, source: undefined });
}
