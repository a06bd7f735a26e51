import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ErrorCode, isConfiguredModel, principalKeyId, principalTeamId, type AuditEventInput, type CanonicalRequest, type UsageEvent } from '@llmp/common';
import { AccessLog, EventPublisher, MetricsService } from '@llmp/infra';
import { AdmissionService, PriceBook } from '@llmp/policy';
import type { RequestTrace } from './request-trace';
import { countPromptTokens, countTokens } from './usage-estimator';

/** Error codes that are policy decisions about a caller, audited as denials. */
const DENIALS = new Set<string>([
  ErrorCode.InvalidApiKey,
  ErrorCode.ModelNotAllowed,
  ErrorCode.ModelNotPriced,
  ErrorCode.RateLimitExceeded,
  ErrorCode.BudgetExceeded,
  ErrorCode.RequestNeverFits,
  ErrorCode.MaxTokensExceeded,
]);

/** A request refused before it had a principal: audited per address and minute by AuthFailureAudit, not here. */
function failedAuthentication(trace: RequestTrace): boolean {
  return trace.principal === null && (trace.errorCode === ErrorCode.InvalidApiKey || trace.errorCode === ErrorCode.RateLimitExceeded);
}

/**
 * Stage 8: settles the limit reservation to actual usage and enqueues the ledger record (and, for denials, the audit
 * event). Runs exactly once per request on every exit path and never fails the request.
 */
@Injectable()
export class SettlementService {
  private readonly logger = new Logger(SettlementService.name);
  private afterResponse: RequestTrace[] = [];

  constructor(
    private readonly admission: AdmissionService,
    private readonly prices: PriceBook,
    private readonly events: EventPublisher,
    private readonly metrics: MetricsService,
    private readonly accessLog: AccessLog,
  ) {}

  /**
   * Settles once the current event-loop turn's callbacks are done, for answers complete at hand: their responses are
   * written in this turn and leave first. When many answers arrive together (upstreams answer in waves under load),
   * each client otherwise waits for the settlement work of every answer before its own.
   */
  finishAfterResponse(trace: RequestTrace): void {
    if (this.afterResponse.push(trace) === 1) setImmediate(this.finishDeferred);
  }

  private readonly finishDeferred = (): void => {
    const traces = this.afterResponse;
    this.afterResponse = [];
    for (const t of traces) this.finish(t);
  };

  finish(trace: RequestTrace): void {
    if (trace.settled) return;
    trace.settled = true;
    trace.span?.stage('settle');
    try {
      const usage = trace.usage ?? this.estimate(trace);
      const model = trace.resolution?.resolved ?? null;
      const cost = model && usage.totalTokens > 0
        ? this.prices.cost(model, usage.promptTokens, usage.completionTokens)
        : { costUsd: '0', priced: model ? this.prices.priceOf(model) !== null : false };
      if (trace.admission) void this.admission.settle(trace.admission, { totalTokens: usage.totalTokens, costUsd: Number(cost.costUsd) });
      const req = trace.request;
      const now = Date.now();
      const event: UsageEvent = {
        requestId: req.requestId,
        keyId: trace.principal ? principalKeyId(trace.principal) : null,
        teamId: trace.principal ? principalTeamId(trace.principal) : null,
        requestedModel: req.model,
        resolvedModel: model,
        provider: trace.provider,
        endpoint: req.endpoint,
        status: trace.status,
        errorCode: trace.errorCode,
        promptTokens: usage.promptTokens,
        completionTokens: usage.completionTokens,
        totalTokens: usage.totalTokens,
        costUsd: cost.costUsd,
        priced: cost.priced,
        estimated: usage.estimated,
        latencyMs: now - req.receivedAt,
        ttftMs: req.stream && trace.firstTokenAt !== null ? trace.firstTokenAt - req.receivedAt : null,
        streamed: req.stream,
        attempts: trace.attempts,
        createdAt: new Date(req.receivedAt).toISOString(),
      };
      this.events.publishUsage(event);
      if (trace.errorCode && DENIALS.has(trace.errorCode) && !failedAuthentication(trace)) this.events.publishAudit(this.denialEvent(trace));
      const upstreamMs = this.upstreamMs(trace);
      this.observe(trace, event.latencyMs, upstreamMs);
      if (this.accessLog.enabled) this.logAccess(req, event, upstreamMs);
      if (trace.principal?.kind === 'key' && trace.principal.snapshot.debugLogging) this.logBodies(trace, event.keyId);
      trace.span?.end({ status: event.status, errorCode: event.errorCode, model, provider: event.provider, promptTokens: usage.promptTokens, completionTokens: usage.completionTokens });
    } catch (e) {
      this.logger.error({ msg: 'settlement failed', requestId: trace.request.requestId, error: (e as Error).message });
    }
  }

  private upstreamMs(trace: RequestTrace): number {
    let upstreamMs = trace.upstreamMs;
    if (upstreamMs === 0) for (const a of trace.attempts) upstreamMs += a.latencyMs;
    return upstreamMs;
  }

  /** The one access line of a request, from the ledger event already built (no second pass over the trace). */
  private logAccess(req: CanonicalRequest, e: UsageEvent, upstreamMs: number): void {
    this.accessLog.request({
      method: req.method ?? 'POST',
      path: req.path ?? req.endpoint,
      status: e.status,
      surface: req.surface,
      model: e.resolvedModel ?? e.requestedModel,
      provider: e.provider,
      durationMs: e.latencyMs,
      upstreamMs: Math.round(upstreamMs),
      promptTokens: e.promptTokens,
      completionTokens: e.completionTokens,
      totalTokens: e.totalTokens,
      requestId: e.requestId,
      keyId: e.keyId,
      errorCode: e.errorCode,
    });
  }

  /** A key with `debugLogging` on: its bodies (secret-shaped values redacted), for debugging that one client. */
  private logBodies(trace: RequestTrace, keyId: string | null): void {
    const response = trace.request.stream ? { streamedText: trace.completionText.join('') } : trace.responseBody;
    this.accessLog.bodies({ requestId: trace.request.requestId, keyId, request: trace.request.body, response });
  }

  private observe(trace: RequestTrace, totalMs: number, upstreamMs: number): void {
    const r = trace.resolution;
    this.metrics.observeRequest({
      surface: trace.request.surface,
      // Bounded label: configured models as they are; a forced target no model has is client text, so it is folded.
      model: r ? (isConfiguredModel(r) ? r.resolved : `${r.forced?.provider}://*`) : '-',
      status: trace.status,
      errorCode: trace.errorCode,
      totalMs,
      upstreamMs,
      attempts: trace.attempts,
      admissionMode: trace.admission?.reservation.mode ?? null,
    });
  }

  /** Usage when the upstream reported none: zero if nothing was sent upstream, else counted by llmp. */
  private estimate(trace: RequestTrace): NonNullable<RequestTrace['usage']> {
    if (!trace.provider) return { promptTokens: 0, completionTokens: 0, totalTokens: 0, estimated: false };
    const promptTokens = countPromptTokens(trace.request.body);
    const sample = trace.completionText.join('');
    const sampled = countTokens(sample);
    // Text beyond the kept sample is counted at the sample's characters-per-token rate.
    const completionTokens = sample.length < trace.completionChars ? Math.round((sampled * trace.completionChars) / sample.length) : sampled;
    return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens, estimated: true };
  }

  private denialEvent(trace: RequestTrace): AuditEventInput {
    const keyId = trace.principal ? principalKeyId(trace.principal) : null;
    return {
      eventId: randomUUID(),
      time: new Date().toISOString(),
      actorType: keyId ? 'key' : 'anonymous',
      actorId: keyId,
      action: `request.denied.${trace.errorCode}`,
      target: trace.resolution?.resolved ?? trace.request.model,
      before: null,
      after: { status: trace.status, code: trace.errorCode, endpoint: trace.request.endpoint, requestedModel: trace.request.model },
      requestId: trace.request.requestId,
      sourceIp: trace.request.sourceIp,
    };
  }
}
