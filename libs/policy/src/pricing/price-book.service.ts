import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { GatewayConfig, ModelPricing } from '@llmp/common';
import { ConfigStore, ENV_CONFIG, type EnvConfig, GATEWAY_CONFIG, REDIS_SUBSCRIBER } from '@llmp/infra';
import { COST_SCALE, costUnits, formatDecimal, normalizeDecimal, parseDecimal, type ScaledDecimal } from './decimal-money';
import { ModelPriceRepository } from './model-price.repository';
import { PRICE_BOOK_OPTIONS, PRICING_INVALIDATION_CHANNEL, type PriceBookOptions } from './pricing.constants';

/** One model's effective price, as decimal strings (USD per million tokens). */
export interface PriceEntry {
  model: string;
  inputPerMillion: string;
  outputPerMillion: string;
  /** `config` also for a provider's price (`providers[].pricing`), whose `model` reads `provider://*`. */
  source: 'config' | 'override';
}

/** A request's cost: exact decimal USD string, and whether the model had a price (else cost is 0). */
export interface CostResult {
  costUsd: string;
  priced: boolean;
}

interface CompiledPrice {
  entry: PriceEntry;
  input: ScaledDecimal;
  output: ScaledDecimal;
  pricing: ModelPricing;
}

function compile(entry: PriceEntry): CompiledPrice {
  const input = parseDecimal(entry.inputPerMillion);
  const output = parseDecimal(entry.outputPerMillion);
  return { entry, input, output, pricing: { input: Number(entry.inputPerMillion), output: Number(entry.outputPerMillion) } };
}

/**
 * Per-model prices: the config file's, overridden by ModelPrice rows. Held in process (the data plane prices every
 * request without a database round trip), reloaded on a pub/sub invalidation and periodically.
 */
@Injectable()
export class PriceBook implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PriceBook.name);
  private readonly channel: string;
  private readonly refreshIntervalMs: number;
  private readonly fromConfig = new Map<string, CompiledPrice>();
  /** By provider name: the price of forced calls to that provider's models that no configured model has. */
  private fromProviders = new Map<string, CompiledPrice>();
  private prices = new Map<string, CompiledPrice>();
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  private readonly onMessage = (channel: string): void => {
    if (channel === this.channel) void this.refresh();
  };
  private readonly onReady = (): void => void this.refresh();

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    @Inject(ENV_CONFIG) env: EnvConfig,
    private readonly repo: ModelPriceRepository,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis,
    @Optional() @Inject(PRICE_BOOK_OPTIONS) opts?: Partial<PriceBookOptions>,
    @Optional() store?: ConfigStore,
  ) {
    this.channel = env.redisPrefix + PRICING_INVALIDATION_CHANNEL;
    this.refreshIntervalMs = opts?.refreshIntervalMs ?? 60_000;
    this.loadConfigPrices(config);
    // Config prices change with a reload; overrides are re-applied on top.
    store?.onChange((next) => {
      this.loadConfigPrices(next);
      void this.refresh();
    });
  }

  private loadConfigPrices(config: GatewayConfig): void {
    const providers = new Map<string, CompiledPrice>();
    for (const p of config.providers) {
      if (!p.pricing) continue;
      providers.set(
        p.name,
        compile({
          model: `${p.name}://*`,
          inputPerMillion: normalizeDecimal(p.pricing.input),
          outputPerMillion: normalizeDecimal(p.pricing.output),
          source: 'config',
        }),
      );
    }
    this.fromProviders = providers;
    this.fromConfig.clear();
    for (const m of config.models) {
      if (!m.pricing) continue;
      this.fromConfig.set(
        m.name,
        compile({
          model: m.name,
          inputPerMillion: normalizeDecimal(m.pricing.input),
          outputPerMillion: normalizeDecimal(m.pricing.output),
          source: 'config',
        }),
      );
    }
    // Overrides already loaded stay on top, so a reload never prices a request at a stale config price meanwhile.
    const next = new Map(this.fromConfig);
    for (const [model, p] of this.prices) if (p.entry.source === 'override') next.set(model, p);
    this.prices = next;
  }

  async onModuleInit(): Promise<void> {
    this.subscriber.on('message', this.onMessage);
    // Messages may be missed while disconnected; reloading on reconnect closes that gap.
    this.subscriber.on('ready', this.onReady);
    await this.subscriber.subscribe(this.channel).catch((e: unknown) => {
      this.logger.warn(`pricing invalidation subscribe failed (${(e as Error).message}); relying on periodic refresh`);
    });
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.refreshIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.subscriber.off('message', this.onMessage);
    this.subscriber.off('ready', this.onReady);
    await this.subscriber.unsubscribe(this.channel).catch(() => undefined);
  }

  /** The channel the control plane publishes to after a price change. */
  get invalidationChannel(): string {
    return this.channel;
  }

  /** Reloads the overrides; on a database error the previous prices stay in force. */
  refresh(): Promise<void> {
    this.refreshing ??= this.load().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /**
   * The price of a policy model (see `ModelResolution.resolved`): a configured model's (config or override), or for
   * `provider://model` an override of that exact name, else the provider's `pricing`.
   */
  priceOf(model: string): ModelPricing | null {
    return this.compiledOf(model)?.pricing ?? null;
  }

  /** The effective price of one model, decimal strings. */
  entryOf(model: string): PriceEntry | null {
    return this.compiledOf(model)?.entry ?? null;
  }

  private compiledOf(model: string): CompiledPrice | undefined {
    const own = this.prices.get(model);
    if (own !== undefined) return own;
    const forced = model.indexOf('://');
    return forced > 0 ? this.fromProviders.get(model.slice(0, forced)) : undefined;
  }

  /** Every model with a price (config or override), sorted by name. */
  list(): PriceEntry[] {
    return [...this.prices.values()].map((p) => p.entry).sort((a, b) => a.model.localeCompare(b.model));
  }

  /** The config file's price of a model, ignoring overrides. */
  configPriceOf(model: string): PriceEntry | null {
    return this.fromConfig.get(model)?.entry ?? null;
  }

  cost(model: string, promptTokens: number, completionTokens: number): CostResult {
    const price = this.compiledOf(model);
    if (!price) return { costUsd: '0', priced: false };
    return {
      costUsd: formatDecimal(costUnits(promptTokens, completionTokens, price.input, price.output), COST_SCALE),
      priced: true,
    };
  }

  private async load(): Promise<void> {
    try {
      const rows = await this.repo.list();
      const next = new Map(this.fromConfig);
      for (const r of rows) {
        next.set(r.model, compile({ model: r.model, inputPerMillion: normalizeDecimal(r.inputPerMillion), outputPerMillion: normalizeDecimal(r.outputPerMillion), source: 'override' }));
      }
      this.prices = next;
    } catch (e) {
      this.logger.warn(`price overrides could not be loaded (${(e as Error).message}); keeping the previous prices`);
    }
  }
}
