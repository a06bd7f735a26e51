import { Injectable } from '@nestjs/common';
import { RouterService } from '@llmp/routing';
import type { CooldownDto } from './dto/cooldown.dto';
import type { ModelRouteDto } from './dto/model-route.dto';

/** Read-only view of the router's configured routes and its current cooldowns, for the console. */
@Injectable()
export class ModelsService {
  constructor(private readonly router: RouterService) {}

  routes(): ModelRouteDto[] {
    return this.router.models().map((m) => ({
      name: m.name,
      targets: m.targets.map((t) => ({ provider: t.provider, model: t.model, priority: t.priority, weight: t.weight })),
      ...(m.pricing ? { pricing: { input: m.pricing.input, output: m.pricing.output } } : {}),
    }));
  }

  cooldowns(): CooldownDto[] {
    return this.router.cooldowns().map((c) => ({ provider: c.provider, model: c.model, until: new Date(c.until).toISOString() }));
  }
}
