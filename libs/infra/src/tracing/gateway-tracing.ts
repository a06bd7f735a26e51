import { Inject, Injectable } from '@nestjs/common';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { EnvConfig } from '../config/env.config';
import { ENV_CONFIG } from '../tokens';

/** What a finished request reports on its span. Names and numbers only: never keys, prompts or completions. */
export interface RequestSpanResult {
  status: number;
  errorCode: string | null;
  model: string | null;
  provider: string | null;
  promptTokens: number;
  completionTokens: number;
}

/** One upstream try, as routing sees it: extra headers to send (trace context) and its end. */
export interface AttemptSpan {
  readonly headers: Readonly<Record<string, string>>;
  end(status: number | null, failure?: string): void;
}

/**
 * The spans of one gateway request: the request span, one child per pipeline stage (`stage` ends the previous one and
 * starts the next), and one client span per upstream attempt, whose context goes upstream as `traceparent`.
 */
export class RequestSpan {
  private current: Span | null = null;
  private readonly ctx: Context;

  constructor(
    private readonly tracer: Tracer,
    private readonly span: Span,
    parent: Context,
  ) {
    this.ctx = trace.setSpan(parent, span);
  }

  /** Ends the running stage span (if any) and starts `llmp.stage.<name>`. */
  stage(name: string): void {
    this.current?.end();
    this.current = this.tracer.startSpan(`llmp.stage.${name}`, undefined, this.ctx);
  }

  attempt(provider: string, model: string): AttemptSpan {
    const parent = this.current ? trace.setSpan(this.ctx, this.current) : this.ctx;
    const span = this.tracer.startSpan(
      'llmp.upstream',
      { kind: SpanKind.CLIENT, attributes: { 'llmp.provider': provider, 'llmp.upstream_model': model } },
      parent,
    );
    const headers: Record<string, string> = {};
    const spanCtx = trace.setSpan(parent, span);
    propagation.inject(spanCtx, headers);
    // No propagator registered (an SDK without one, or a bare provider): W3C trace context, which every tracer reads.
    if (!headers.traceparent) {
      const sc = span.spanContext();
      if (trace.isSpanContextValid(sc)) headers.traceparent = `00-${sc.traceId}-${sc.spanId}-0${(sc.traceFlags & 1).toString(16)}`;
    }
    return {
      headers,
      end: (status, failure) => {
        if (status !== null) span.setAttribute('http.response.status_code', status);
        if (failure) span.setStatus({ code: SpanStatusCode.ERROR, message: failure });
        span.end();
      },
    };
  }

  end(r: RequestSpanResult): void {
    this.current?.end();
    this.current = null;
    const s = this.span;
    s.setAttribute('http.response.status_code', r.status);
    if (r.model) s.setAttribute('llmp.model', r.model);
    if (r.provider) s.setAttribute('llmp.provider', r.provider);
    s.setAttribute('llmp.tokens.prompt', r.promptTokens);
    s.setAttribute('llmp.tokens.completion', r.completionTokens);
    if (r.errorCode) s.setStatus({ code: SpanStatusCode.ERROR, message: r.errorCode });
    s.end();
  }
}

/**
 * OpenTelemetry hooks, off unless LLMP_OTEL_ENABLED=true. Only `@opentelemetry/api` is used: spans go to whatever
 * SDK the operator registers (`node --require ./otel-setup.js`), and are no-ops when none is. When off, `start`
 * returns null and the pipeline creates no span objects at all.
 */
@Injectable()
export class GatewayTracing {
  readonly enabled: boolean;
  private readonly tracer: Tracer | null;

  constructor(@Inject(ENV_CONFIG) env: EnvConfig) {
    this.enabled = env.otelEnabled;
    // A proxy tracer: an SDK registered after this point still receives the spans.
    this.tracer = this.enabled ? trace.getTracer('llmp') : null;
  }

  /** The request span, or null when tracing is off. */
  start(surface: string, endpoint: string, requestId: string, stream: boolean): RequestSpan | null {
    if (!this.tracer) return null;
    const parent = context.active();
    const span = this.tracer.startSpan(
      'llmp.request',
      { kind: SpanKind.SERVER, attributes: { 'llmp.surface': surface, 'llmp.endpoint': endpoint, 'llmp.request_id': requestId, 'llmp.stream': stream } },
      parent,
    );
    return new RequestSpan(this.tracer, span, parent);
  }
}
