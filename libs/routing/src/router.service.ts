import { Inject, Injectable, Logger } from '@nestjs/common';
import type { GatewayConfig, ModelConfig, UpstreamAttempt } from '@llmp/common';
import { ErrorCode, LlmpError, scrubSecrets } from '@llmp/common';
import { ConfigStore, GATEWAY_CONFIG } from '@llmp/infra';
import { abortError, isAbortError } from './http/abort';
import { UpstreamFailure } from './http/upstream-failure';
import { CooldownService } from './health/cooldown.service';
import type { CooldownEntry } from './health/cooldown-tracker';
import { allTargetsFailed, failedAttempt } from './plan/failover.policy';
import { RoutePlanner } from './plan/route-planner';
import { ProviderRegistry } from './provider.registry';
import type { AdapterOutcome } from './providers/provider-adapter';
import type { ChunkBatch, RoutePlan, RouteTarget, UpstreamCall, UpstreamResult } from './routing.types';
import type { CallSignal } from './http/call-signal';

/**
 * Stages 6 and 7 of the pipeline: plan the targets for a model, then walk them in order until one answers.
 * Fails over only before anything reached the client; an upstream 4xx (other than 429) is the client's problem and
 * is handed back instead of being retried elsewhere. Everything an upstream wrote that leaves here towards a client
 * (a passed-through error body, an error's message, a mid-stream failure) is scrubbed of provider credentials
 * first; successful answers are not, see `scrubUpstreamError`.
 */
@Injectable()
export class RouterService {
  private readonly logger = new Logger(RouterService.name);
  private planner: RoutePlanner;

  constructor(
    @Inject(GATEWAY_CONFIG) private config: GatewayConfig,
    private readonly registry: ProviderRegistry,
    private readonly health: CooldownService,
    store: ConfigStore,
  ) {
    this.planner = new RoutePlanner(config);
    // A reload swaps the planner whole: requests already walking a plan keep their targets.
    store.onChange((next) => {
      this.config = next;
      this.planner = new RoutePlanner(next);
    });
    for (const p of config.providers) {
      if (!registry.get(p.type)) this.logger.warn(`provider "${p.name}" has type "${p.type}", which is not implemented yet`);
    }
  }

  /** Ordered targets for a canonical model (or the one forced provider, for `provider://model`). */
  plan(model: string, forcedProvider?: string): RoutePlan {
    return this.planner.plan(model, forcedProvider, this.health, Date.now());
  }

  /** Tries the plan's targets in order (a loop, never recursion) and returns the first usable answer. */
  async execute(plan: RoutePlan, call: UpstreamCall): Promise<UpstreamResult> {
    const attempts: UpstreamAttempt[] = [];
    let lastFailure: UpstreamFailure | undefined;
    let unsupported: LlmpError | undefined;

    for (const target of plan.targets) {
      const adapter = this.registry.get(target.provider.type);
      if (!adapter || !adapter.supports(call.endpoint)) {
        unsupported ??= new LlmpError(
          ErrorCode.Unsupported,
          adapter
            ? `The provider serving \`${plan.model}\` does not support ${call.endpoint}`
            : `Provider type "${target.provider.type}" is not implemented yet`,
        );
        continue;
      }
      if (call.signal.aborted) throw abortError(call.signal);

      const started = performance.now();
      const span = call.tracing?.attempt(target.provider.name, target.model) ?? null;
      let outcome: AdapterOutcome;
      try {
        outcome = await adapter.send(target, span ? { ...call, headers: span.headers } : call);
      } catch (e) {
        // Scrubbed before the span records the message: spans leave llmp too.
        if (!(e instanceof UpstreamFailure)) scrubUpstreamError(e);
        span?.end(e instanceof UpstreamFailure ? e.status ?? null : null, (e as Error).message);
        if (!(e instanceof UpstreamFailure)) throw e;
        if (e.kind === 'aborted') throw abortError(call.signal);
        attempts.push(failedAttempt(target.provider.name, target.model, e, elapsed(started)));
        this.health.recordFailure(target.provider.name, target.model);
        lastFailure = e;
        continue;
      }

      span?.end(outcome.status);
      // A 4xx pass-through still proves the target is up, so it ends a failure streak like a success.
      this.health.recordSuccess(target.provider.name, target.model);
      attempts.push({
        provider: target.provider.name,
        model: target.model,
        status: outcome.status,
        reason: outcome.kind === 'passthrough-error' ? 'client error from upstream, passed through' : 'ok',
        latencyMs: elapsed(started),
      });
      if (outcome.kind === 'stream') {
        return { ...outcome, chunks: this.watchStream(outcome.chunks, target, call.signal), target, attempts };
      }
      if (outcome.kind === 'passthrough-error') {
        return { ...outcome, body: scrubBody(outcome.body), contentType: scrubSecrets(outcome.contentType), target, attempts };
      }
      return { ...outcome, target, attempts };
    }

    if (lastFailure) throw allTargetsFailed(plan.model, attempts, lastFailure);
    throw unsupported ?? new LlmpError(ErrorCode.NoProviderAvailable, `No provider is configured for \`${plan.model}\``);
  }

  /** The configured models, for `/v1/models`. */
  models(): ModelConfig[] {
    return this.config.models;
  }

  /** Targets cooling down right now, for the admin console. */
  cooldowns(): CooldownEntry[] {
    return this.health.cooldowns();
  }

  /** Counts a mid-stream death against the target's health; a client abort is not the target's fault. */
  private async *watchStream(chunks: AsyncIterable<ChunkBatch>, target: RouteTarget, signal: CallSignal): AsyncGenerator<ChunkBatch> {
    try {
      yield* chunks;
    } catch (e) {
      if (!signal.aborted && !isAbortError(e)) this.health.recordFailure(target.provider.name, target.model);
      throw scrubUpstreamError(e);
    }
  }
}

/**
 * An error on its way to the client with any upstream text in its message scrubbed. Only error paths pay for this:
 * a successful answer's content is the model's output, not the upstream's echo of our request, and scanning every
 * body and chunk would put a full-text search on the hot path.
 */
function scrubUpstreamError(e: unknown): unknown {
  // An abort carries no upstream text, and a DOMException's message is a read-only accessor.
  if (!(e instanceof Error) || isAbortError(e)) return e;
  const scrubbed = scrubSecrets(e.message);
  if (scrubbed !== e.message) Object.defineProperty(e, 'message', { value: scrubbed, writable: true, configurable: true });
  return e;
}

/** A passed-through upstream error body with the provider's credentials removed (it may echo our request). */
function scrubBody(body: Buffer): Buffer {
  const text = body.toString('utf8');
  const scrubbed = scrubSecrets(text);
  return scrubbed === text ? body : Buffer.from(scrubbed, 'utf8');
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
