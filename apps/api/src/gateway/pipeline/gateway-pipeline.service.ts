import { Inject, Injectable } from '@nestjs/common';
import { LlmpError, ErrorCode, type CanonicalRequest, type GatewayConfig, type Principal, type Surface } from '@llmp/common';
import { GATEWAY_CONFIG, GatewayTracing } from '@llmp/infra';
import { AdmissionService, AllowlistStage, AuthenticateStage, PriceBook, priceForAdmission, ResolveModelStage, TokenCapStage } from '@llmp/policy';
import { type CallSignal, type ChunkBatch, RouterService, type StreamUpstreamResult } from '@llmp/routing';
import type { PipelineResult } from './pipeline-result';
import { RequestTrace } from './request-trace';
import { SettlementService } from './settlement.service';
import { usageFrom } from './usage-estimator';

/** The client's own name of the choice count, for errors (the translated surfaces map it to `n`). */
const CHOICES_PARAM: Record<Surface, string> = {
  openai: 'n',
  anthropic: 'n',
  gemini: 'generationConfig.candidateCount',
  ollama: 'n',
};

/** A body answered by llmp itself (no upstream call), with the headers of the request. */
export interface LocalAnswer<T> {
  headers: Record<string, string>;
  body: T;
}

/**
 * The data plane's request pipeline. This is the only place the stage order is written:
 * authenticate → resolve model → allowlist → token cap → admit → route → upstream → settle.
 */
@Injectable()
export class GatewayPipeline {
  constructor(
    private readonly authenticate: AuthenticateStage,
    private readonly resolveModel: ResolveModelStage,
    private readonly allowlist: AllowlistStage,
    private readonly tokenCap: TokenCapStage,
    private readonly admission: AdmissionService,
    private readonly prices: PriceBook,
    private readonly router: RouterService,
    private readonly settlement: SettlementService,
    private readonly tracing: GatewayTracing,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.minOutputTokens = config.limits.minOutputTokens;
  }

  /** Read once: `limits` is a boot-only config section. */
  private readonly minOutputTokens: number;

  async run(request: CanonicalRequest, signal: CallSignal): Promise<PipelineResult> {
    const trace = new RequestTrace(request);
    // `span?.stage(...)` below marks stage boundaries for tracing; with tracing off `span` is null and they cost nothing.
    trace.span = this.tracing.enabled ? this.tracing.start(request.surface, request.endpoint, request.requestId, request.stream) : null;
    const headers: Record<string, string> = { 'x-request-id': request.responseRequestId };
    try {
      trace.span?.stage('authenticate');
      const principal = await this.authenticate.run(request.credentials, request.sourceIp);
      trace.principal = principal;
      trace.span?.stage('resolve_model');
      const resolution = this.resolveModel.run(principal, request.model);
      trace.resolution = resolution;
      trace.span?.stage('allowlist');
      this.allowlist.run(principal, resolution);
      trace.span?.stage('token_cap');
      let capped = this.tokenCap.run(principal, resolution, request.body, {
        endpoint: request.endpoint,
        choicesParam: CHOICES_PARAM[request.surface],
      });

      trace.span?.stage('admit');
      const promptTokensEstimate = this.admission.estimatePromptTokens(capped.body);
      if (!capped.clientLimited && capped.outputCap > 0) {
        // The client left the output to llmp: lower it to what fits the key's tpm and budget rather than refuse.
        const fitted = this.admission.fitOutputTokens(principal, resolution.resolved, {
          promptTokensEstimate,
          choices: capped.choices,
          perChoice: capped.outputCap,
          minimum: this.minOutputTokens,
          costUsdOf: (outputTokens) => this.worstCaseCost(principal, resolution.resolved, promptTokensEstimate, outputTokens),
        });
        capped = this.tokenCap.lowered(capped, fitted);
      }
      if (capped.applied.injected || capped.applied.clamped.length) headers['x-llmp-max-tokens'] = String(capped.outputCap);
      // The limit applies per choice, and every choice is written (and billed): reserve all of them.
      const outputTokensReserved = capped.outputCap * capped.choices;
      const admission = await this.admission.admit({
        requestId: request.requestId,
        principal,
        model: resolution.resolved,
        promptTokensEstimate,
        outputTokensReserved,
        reservedCostUsd: this.worstCaseCost(principal, resolution.resolved, promptTokensEstimate, outputTokensReserved),
      });
      trace.admission = admission;
      Object.assign(headers, admission.headers);

      trace.span?.stage('route');
      // A forced call goes to its one target only, also when it is a configured model's target (policy saw that model).
      const plan = this.router.plan(resolution.forced?.model ?? resolution.resolved, resolution.forced?.provider);
      trace.span?.stage('upstream');
      const upstream = await this.router.execute(plan, {
        requestId: request.requestId,
        // Surfaces translate Responses and Messages bodies to the chat contract, so upstream they are chat calls.
        endpoint: request.endpoint === 'responses' || request.endpoint === 'messages' ? 'chat' : request.endpoint,
        body: request.stream ? { ...capped.body, stream_options: { ...(capped.body.stream_options as object), include_usage: true } } : capped.body,
        stream: request.stream,
        signal,
        tracing: trace.span ?? undefined,
      });
      trace.attempts = upstream.attempts;
      for (const a of upstream.attempts) trace.upstreamMs += a.latencyMs;
      trace.provider = upstream.target.provider.name;

      switch (upstream.kind) {
        case 'json': {
          trace.status = upstream.status;
          trace.usage = usageFrom(upstream.body);
          trace.responseBody = upstream.body;
          this.settlement.finishAfterResponse(trace);
          return { kind: 'json', status: upstream.status, headers, body: { ...upstream.body, model: request.model } };
        }
        case 'passthrough-error': {
          trace.status = upstream.status;
          trace.errorCode = 'upstream_error';
          this.settlement.finish(trace);
          return { kind: 'raw', status: upstream.status, headers, body: upstream.body, contentType: upstream.contentType };
        }
        case 'stream':
          return { kind: 'stream', headers, chunks: this.relay(trace, upstream) };
      }
    } catch (e) {
      this.recordFailure(trace, e);
      this.settlement.finish(trace);
      if (e instanceof LlmpError) {
        e.details.headers = { ...headers, ...e.details.headers };
        if (e.details.data?.attempts && Array.isArray(e.details.data.attempts)) trace.attempts = e.details.data.attempts as never;
      }
      throw e;
    }
  }

  /**
   * Requests llmp answers itself, without an upstream call (Anthropic's count_tokens): the same key, alias and
   * allowlist decisions as `run`, then admitted as one request of 0 tokens (it counts against rpm and holds a
   * parallel slot while it runs), recorded in the ledger and, when denied, audited.
   */
  async answerLocally<T>(request: CanonicalRequest, answer: () => T): Promise<LocalAnswer<T>> {
    const trace = new RequestTrace(request);
    const headers: Record<string, string> = { 'x-request-id': request.responseRequestId };
    try {
      const principal = await this.authenticate.run(request.credentials, request.sourceIp);
      trace.principal = principal;
      const resolution = this.resolveModel.run(principal, request.model);
      trace.resolution = resolution;
      this.allowlist.run(principal, resolution);
      const admission = await this.admission.admit({
        requestId: request.requestId,
        principal,
        model: resolution.resolved,
        promptTokensEstimate: 0,
        outputTokensReserved: 0,
        reservedCostUsd: 0,
      });
      trace.admission = admission;
      Object.assign(headers, admission.headers);
      const body = answer();
      trace.usage = { promptTokens: 0, completionTokens: 0, totalTokens: 0, estimated: false };
      this.settlement.finishAfterResponse(trace);
      return { headers, body };
    } catch (e) {
      this.recordFailure(trace, e);
      this.settlement.finish(trace);
      if (e instanceof LlmpError) e.details.headers = { ...headers, ...e.details.headers };
      throw e;
    }
  }

  /**
   * Budget reservations use the worst case: the whole prompt estimate and the whole output reservation. Under a
   * budget an unpriced model is refused here (`model_not_priced`), before anything is reserved.
   */
  private worstCaseCost(principal: Principal, model: string, promptTokens: number, outputTokens: number): number {
    const price = priceForAdmission(principal, model, this.prices);
    if (!price) return 0;
    return (promptTokens * price.input + outputTokens * price.output) / 1_000_000;
  }

  private recordFailure(trace: RequestTrace, e: unknown): void {
    if (e instanceof LlmpError) {
      trace.status = e.status;
      trace.errorCode = e.code;
      const attempts = e.details.data?.attempts;
      if (Array.isArray(attempts)) trace.attempts = attempts as RequestTrace['attempts'];
    } else if ((e as Error)?.name === 'AbortError') {
      trace.status = 499;
      trace.errorCode = 'client_closed_request';
    } else {
      trace.status = 500;
      trace.errorCode = ErrorCode.Internal;
    }
  }

  /**
   * Passes stream chunks through as they arrive, reporting the client's model name, measuring time to first token,
   * taking usage from the upstream's usage chunk (stripped unless the client asked for it), and settling when the
   * stream ends for any reason.
   */
  private async *relay(trace: RequestTrace, upstream: StreamUpstreamResult): AsyncGenerator<ChunkBatch> {
    const { model, clientWantsStreamUsage } = trace.request;
    let ended = false;
    let waitingSince = performance.now();
    try {
      for await (const arrived of upstream.chunks) {
        trace.upstreamMs += performance.now() - waitingSince;
        if (trace.firstTokenAt === null) trace.firstTokenAt = Date.now();
        const batch: ChunkBatch = [];
        for (const chunk of arrived) {
          if (chunk.usage) {
            trace.usage = usageFrom(chunk);
            if (!clientWantsStreamUsage) {
              const choices = chunk.choices as unknown[] | undefined;
              if (!choices || choices.length === 0) continue;
              delete chunk.usage;
            }
          }
          const choices = chunk.choices as { delta?: { content?: unknown }; text?: unknown }[] | undefined;
          if (choices) {
            for (const c of choices) {
              const piece = c.delta?.content ?? c.text;
              if (typeof piece === 'string') trace.addCompletion(piece);
            }
          }
          chunk.model = model;
          batch.push(chunk);
        }
        if (batch.length) yield batch;
        waitingSince = performance.now();
      }
      ended = true;
      trace.status = 200;
    } catch (e) {
      ended = true;
      this.recordFailure(trace, e);
      throw e;
    } finally {
      // The consumer stopped early: the client went away mid-stream, and the upstream is aborted by the signal.
      if (!ended) {
        trace.status = 499;
        trace.errorCode = 'client_closed_request';
        trace.usage = null;
      }
      // The writer sends the end of the stream in this turn, before the settlement runs.
      this.settlement.finishAfterResponse(trace);
    }
  }
}
