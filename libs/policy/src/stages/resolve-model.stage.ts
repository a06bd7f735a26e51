import { Inject, Injectable, Optional } from '@nestjs/common';
import type { GatewayConfig, ModelResolution, Principal } from '@llmp/common';
import { ConfigStore, GATEWAY_CONFIG } from '@llmp/infra';
import { GlobalAliasCache } from '../keys/global-alias.cache';
import { aliasLayersOf, catalogOf, resolveModelName, type ModelCatalog } from './model-resolver';

/** Stage 2: requested name → aliases (key → team → global) → canonical model, or a forced `provider://model`. */
@Injectable()
export class ResolveModelStage {
  private catalog: ModelCatalog;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly aliases: GlobalAliasCache,
    @Optional() store?: ConfigStore,
  ) {
    this.catalog = catalogOf(config);
    store?.onChange((next) => {
      this.catalog = catalogOf(next);
    });
  }

  /** Throws `model_not_found` for unknown names, broken chains and unknown forced providers. */
  run(principal: Principal, requested: string): ModelResolution {
    return resolveModelName(requested, aliasLayersOf(principal, this.aliases.all), this.catalog);
  }

  get modelCatalog(): ModelCatalog {
    return this.catalog;
  }
}
