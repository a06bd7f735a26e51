import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit, Optional } from '@nestjs/common';
import type { GatewayConfig } from '@llmp/common';
import { ConfigStore, GATEWAY_CONFIG } from '@llmp/infra';
import { ModelAliasRepository } from '../repositories/model-alias.repository';

/** A safety net for a lost invalidation message; changes normally arrive through pub/sub at once. */
const REFRESH_INTERVAL_MS = 30_000;

/**
 * Global aliases in process: the config file's, overlaid by those managed in the admin API. Read synchronously on
 * the hot path; reloaded when the control plane announces an alias change.
 */
@Injectable()
export class GlobalAliasCache implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(GlobalAliasCache.name);
  private merged: Readonly<Record<string, string>>;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(GATEWAY_CONFIG) private config: GatewayConfig,
    private readonly aliases: ModelAliasRepository,
    @Optional() store?: ConfigStore,
  ) {
    this.merged = { ...config.aliases };
    store?.onChange((next) => {
      this.config = next;
      void this.refresh();
    });
  }

  async onModuleInit(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Global aliases as of the last refresh. */
  get all(): Readonly<Record<string, string>> {
    return this.merged;
  }

  async refresh(): Promise<void> {
    try {
      const rows = await this.aliases.list();
      const next: Record<string, string> = { ...this.config.aliases };
      for (const r of rows) next[r.alias] = r.target;
      this.merged = next;
    } catch (e) {
      this.logger.warn(`could not reload global aliases, keeping the previous set: ${(e as Error).message}`);
    }
  }
}
