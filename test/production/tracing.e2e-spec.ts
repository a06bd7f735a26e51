import { randomBytes } from 'node:crypto';
import {
  trace,
  type Attributes,
  type AttributeValue,
  type Context,
  type Span,
  type SpanContext,
  type SpanOptions,
  type SpanStatus,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { chatCompletion, FakeUpstream } from '../support/fake-upstream';
import { startDataPlane, useConfig } from '../support/gateway-harness';

/** A span that only remembers what it was told: enough of an SDK to see what llmp reports. */
class RecordedSpan implements Span {
  readonly attributes: Attributes = {};
  status: SpanStatus | undefined;
  ended = false;

  constructor(
    readonly name: string,
    private readonly ctx: SpanContext,
    readonly parentSpanId: string | undefined,
    attributes: Attributes | undefined,
  ) {
    Object.assign(this.attributes, attributes);
  }

  spanContext(): SpanContext {
    return this.ctx;
  }
  setAttribute(key: string, value: AttributeValue): this {
    this.attributes[key] = value;
    return this;
  }
  setAttributes(attributes: Attributes): this {
    Object.assign(this.attributes, attributes);
    return this;
  }
  addEvent(): this {
    return this;
  }
  addLink(): this {
    return this;
  }
  addLinks(): this {
    return this;
  }
  setStatus(status: SpanStatus): this {
    this.status = status;
    return this;
  }
  updateName(): this {
    return this;
  }
  end(): void {
    this.ended = true;
  }
  isRecording(): boolean {
    return !this.ended;
  }
  recordException(): void {}
}

class RecordingTracer implements Tracer {
  readonly spans: RecordedSpan[] = [];

  startSpan(name: string, options?: SpanOptions, ctx?: Context): Span {
    const parent = ctx ? trace.getSpanContext(ctx) : undefined;
    const spanContext: SpanContext = {
      traceId: parent?.traceId ?? randomBytes(16).toString('hex'),
      spanId: randomBytes(8).toString('hex'),
      traceFlags: 1,
    };
    const span = new RecordedSpan(name, spanContext, parent?.spanId, options?.attributes);
    this.spans.push(span);
    return span;
  }

  startActiveSpan(): never {
    throw new Error('llmp does not use active spans');
  }
}

class RecordingProvider implements TracerProvider {
  readonly tracer = new RecordingTracer();
  getTracer(): Tracer {
    return this.tracer;
  }
}

/**
 * OpenTelemetry hooks on the in-process data plane, with a recording TracerProvider registered through
 * `@opentelemetry/api` (no SDK): span names and attributes per request, stage and upstream attempt, `traceparent`
 * upstream only when enabled, and no span at all when LLMP_OTEL_ENABLED is off.
 */
describe('OpenTelemetry hooks (LLMP_OTEL_ENABLED)', () => {
  const upstream = new FakeUpstream();
  const provider = new RecordingProvider();
  const upstreamKey = `sk-trace-${randomBytes(16).toString('hex')}`;
  let app: NestFastifyApplication | null = null;

  beforeAll(async () => {
    const base = await upstream.start();
    upstream.behavior = (req) => (req.body.model === 'broken' ? { status: 500, json: { error: { message: 'down' } } } : { json: chatCompletion(req, 'traced') });
    useConfig(`
providers:
  - { name: bad, type: openai, baseUrl: "${base}", apiKey: "${upstreamKey}" }
  - { name: good, type: openai, baseUrl: "${base}", apiKey: "${upstreamKey}" }
models:
  - name: m
    targets: [{ provider: bad, model: broken }, { provider: good, model: fine }]
auth: { mode: disabled }
`);
    expect(trace.setGlobalTracerProvider(provider)).toBe(true);
  });

  afterAll(async () => {
    await app?.close();
    trace.disable();
    await upstream.close();
    delete process.env.LLMP_OTEL_ENABLED;
  });

  const chat = (url: string): Promise<Response> =>
    fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'secret prompt text' }] }),
    });

  it('spans the request, every stage and each upstream attempt, and sends traceparent upstream', async () => {
    process.env.LLMP_OTEL_ENABLED = 'true';
    const dp = await startDataPlane();
    app = dp.app;
    const before = upstream.requests.length;
    expect((await chat(dp.url)).status).toBe(200);
    const spans = provider.tracer.spans;
    expect(spans.map((s) => s.name)).toEqual([
      'llmp.request',
      'llmp.stage.authenticate',
      'llmp.stage.resolve_model',
      'llmp.stage.allowlist',
      'llmp.stage.token_cap',
      'llmp.stage.admit',
      'llmp.stage.route',
      'llmp.stage.upstream',
      'llmp.upstream',
      'llmp.upstream',
      'llmp.stage.settle',
    ]);
    expect(spans.every((s) => s.ended)).toBe(true);
    const [request] = spans;
    const traceId = request.spanContext().traceId;
    expect(spans.every((s) => s.spanContext().traceId === traceId)).toBe(true);
    expect(request.attributes).toMatchObject({
      'llmp.surface': 'openai', 'llmp.endpoint': 'chat', 'llmp.model': 'm', 'llmp.provider': 'good',
      'http.response.status_code': 200, 'llmp.tokens.prompt': 11, 'llmp.tokens.completion': 7,
    });
    const attempts = spans.filter((s) => s.name === 'llmp.upstream');
    expect(attempts.map((a) => [a.attributes['llmp.provider'], a.attributes['http.response.status_code']])).toEqual([['bad', 500], ['good', 200]]);
    expect(attempts[0].status?.code).toBe(2);
    const stageUpstream = spans.find((s) => s.name === 'llmp.stage.upstream')!;
    expect(attempts.every((a) => a.parentSpanId === stageUpstream.spanContext().spanId)).toBe(true);

    // Each attempt carried its own span's context upstream.
    const sent = upstream.requests.slice(before).map((r) => r.headers.traceparent);
    expect(sent).toEqual(attempts.map((a) => `00-${traceId}-${a.spanContext().spanId}-01`));

    const everything = JSON.stringify(spans.map((s) => [s.name, s.attributes, s.status]));
    expect(everything).not.toContain(upstreamKey);
    expect(everything).not.toContain('secret prompt text');
    await app.close();
    app = null;
  });

  it('creates no spans and sends no traceparent when off', async () => {
    process.env.LLMP_OTEL_ENABLED = 'false';
    const dp = await startDataPlane();
    app = dp.app;
    const spansBefore = provider.tracer.spans.length;
    const before = upstream.requests.length;
    expect((await chat(dp.url)).status).toBe(200);
    expect(provider.tracer.spans.length).toBe(spansBefore);
    expect(upstream.requests.slice(before).map((r) => r.headers.traceparent)).toEqual([undefined, undefined]);
  });
});
