import type { Endpoint, ProviderConfig, ProviderType } from '@llmp/common';
import { ErrorCode, LlmpError, scrubEchoedSecrets } from '@llmp/common';
import { SseEventTooLargeError, SseParser, type SseEvent } from '../http/sse-parser';
import { abortError } from '../http/abort';
import { upstreamReason } from '../http/upstream-text';
import { errorCode, isTimeoutCode, parseRetryAfter, UpstreamFailure } from '../http/upstream-failure';
import { UpstreamHttpClient, type UpstreamHttpResponse } from '../http/upstream-http.client';
import type { ChunkBatch, RouteTarget, UpstreamCall } from '../routing.types';
import type { AdapterOutcome, ProviderAdapter } from './provider-adapter';
import { NdjsonFramer } from './ndjson-framer';
import { STREAM_DONE, type RequestMapper, type ResponseMapper, type StreamMapper } from './provider-mappers';
import type { CallSignal } from '../http/call-signal';

/** How a provider frames a streamed answer: Server-Sent Events (most) or newline-delimited JSON (Ollama's native API). */
export type StreamFraming = 'sse' | 'ndjson';

// Bounds what we hold in memory from one upstream answer (a body, or one streamed event) unless the config says
// otherwise; real completions are far smaller.
const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const MAX_ERROR_BYTES = 1024 * 1024;
// What an upstream may still send after its end marker before the stream is cut (and its socket dropped).
const MAX_BYTES_AFTER_DONE = 64 * 1024;

/**
 * The transport half of every HTTP provider: sends the mapped request over the pooled client, classifies the status
 * (2xx answer, other 4xx pass through, everything else fails over), and turns SSE into mapped chunks as they arrive.
 */
export class HttpProviderAdapter implements ProviderAdapter {
  // Headers depend only on the provider config, so they are built once per provider.
  private readonly headerCache = new WeakMap<ProviderConfig, Record<string, string>>();

  constructor(
    readonly type: ProviderType,
    private readonly http: UpstreamHttpClient,
    private readonly request: RequestMapper,
    private readonly response: ResponseMapper,
    private readonly stream: StreamMapper,
    private readonly endpoints: ReadonlySet<Endpoint>,
    private readonly framing: StreamFraming = 'sse',
  ) {}

  supports(endpoint: Endpoint): boolean {
    return this.endpoints.has(endpoint);
  }

  async send(target: RouteTarget, call: UpstreamCall): Promise<AdapterOutcome> {
    const path = this.request.path(call.endpoint, call.stream, target);
    if (path === undefined) {
      throw new LlmpError(ErrorCode.Unsupported, `provider "${target.provider.name}" cannot serve ${call.endpoint}`);
    }
    const res = await this.http.post(
      target.provider,
      { path, headers: call.headers ? { ...this.headersFor(target.provider), ...call.headers } : this.headersFor(target.provider), body: this.request.body(target, call) },
      call.signal,
    );
    const { status } = res;
    if (status >= 200 && status < 300) {
      if (call.stream) return { kind: 'stream', status, chunks: this.chunks(res, target, call) };
      const bytes = await this.http.readAll(res.body, target.provider.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, call.signal);
      return { kind: 'json', status, body: this.response.map(call.endpoint, parseJson(scrubEchoedSecrets(bytes.toString('utf8'))), target) };
    }
    if (status >= 400 && status < 500 && status !== 429) {
      const body = await this.http.readAll(res.body, MAX_ERROR_BYTES, call.signal);
      // Non-OpenAI providers' errors are re-enveloped so every surface receives the canonical error shape.
      if (this.response.passthroughError) {
        return { kind: 'passthrough-error', status, body: this.response.passthroughError(status, tryParseJson(body)), contentType: 'application/json' };
      }
      return { kind: 'passthrough-error', status, body, contentType: headerOf(res, 'content-type') ?? 'application/json' };
    }
    throw await this.failure(res, call.signal);
  }

  private headersFor(provider: ProviderConfig): Record<string, string> {
    let h = this.headerCache.get(provider);
    if (!h) {
      h = this.request.headers(provider);
      this.headerCache.set(provider, h);
    }
    return h;
  }

  /** Builds the failover reason for a 3xx, 429 or 5xx, with the upstream's own message when it gave one. */
  private async failure(res: UpstreamHttpResponse, signal: CallSignal): Promise<UpstreamFailure> {
    const { status } = res;
    if (status >= 300 && status < 400) {
      this.http.discard(res.body);
      return new UpstreamFailure('status', status, `redirect ${status} not followed`);
    }
    let detail: string | undefined;
    try {
      const bytes = await this.http.readAll(res.body, MAX_ERROR_BYTES, signal);
      detail = this.response.errorMessage(tryParseJson(bytes));
    } catch (e) {
      if (e instanceof UpstreamFailure && e.kind === 'aborted') return e;
      // The status alone is enough to fail over; an unreadable error body changes nothing.
    }
    const what = status === 429 ? 'rate limited' : `HTTP ${status}`;
    const retryAfter = status === 429 ? parseRetryAfter(res.headers['retry-after']) : undefined;
    return new UpstreamFailure('status', status, detail ? `${what}: ${upstreamReason(detail)}` : what, retryAfter);
  }

  /** Yields the mapped chunks of each upstream read; ends only on the provider's clean end (marker or `end()`). */
  private async *chunks(res: UpstreamHttpResponse, target: RouteTarget, call: UpstreamCall): AsyncGenerator<ChunkBatch> {
    const mapping = this.stream.open(call.endpoint, target, call);
    const limit = target.provider.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const parser = this.framing === 'ndjson' ? new NdjsonFramer(limit) : new SseParser(limit);
    let done = false;
    let afterDone = 0;
    /**
     * Maps events until the end marker into `batch`; returns the error of an event that failed (an upstream error
     * event), so the chunks before it in the same read still reach the client first.
     */
    const mapAll = (events: SseEvent[], batch: ChunkBatch): unknown => {
      try {
        for (let i = 0; i < events.length && !done; i++) {
          const event = events[i];
          // An upstream that echoes its credentials in an answer never passes them on (error paths: the router).
          const data = scrubEchoedSecrets(event.data);
          const step = mapping.map(data === event.data ? event : { ...event, data });
          if (step === STREAM_DONE) done = true;
          else if (Array.isArray(step)) for (const c of step) batch.push(c);
          else if (step !== null) batch.push(step as Record<string, unknown>);
        }
        return null;
      } catch (e) {
        return e;
      }
    };
    try {
      for await (const bytes of res.body as AsyncIterable<Buffer>) {
        // Leaving a `for await` early destroys the body, and with it the keep-alive socket (and builds an AbortError
        // with a stack trace). The end marker is normally the last bytes, so read on to the body's end instead,
        // ignoring anything after the marker, unless an upstream keeps sending.
        if (done) {
          afterDone += bytes.length;
          if (afterDone > MAX_BYTES_AFTER_DONE) break;
          continue;
        }
        const batch: ChunkBatch = [];
        const failed = mapAll(parser.push(bytes), batch);
        if (batch.length) yield batch;
        if (failed) throw failed;
      }
      if (!done) {
        const batch: ChunkBatch = [];
        const failed = mapAll(parser.end(), batch);
        if (batch.length) yield batch;
        if (failed) throw failed;
      }
      // Providers without an end marker (Gemini, Ollama) decide at end of input whether the answer was complete.
      if (!done && mapping.end && !call.signal.aborted) {
        const last = mapping.end();
        if (last !== null) {
          done = true;
          if (last.length) yield [...last];
        }
      }
    } catch (e) {
      throw streamError(e, call.signal, target.provider);
    } finally {
      // After a clean end, drain so the socket returns to the pool; otherwise close it so the upstream stops work.
      if (done) this.http.discard(res.body);
      else res.body.destroy();
    }
    if (!done) {
      if (call.signal.aborted) throw abortError(call.signal);
      throw new LlmpError(ErrorCode.ProviderError, 'upstream stream ended unexpectedly before it was complete');
    }
  }
}

function streamError(e: unknown, signal: CallSignal, provider: ProviderConfig): Error {
  if (e instanceof LlmpError) return e;
  if (signal.aborted) return abortError(signal);
  if (e instanceof SseEventTooLargeError) return new LlmpError(ErrorCode.ProviderError, `upstream sent a ${e.message}`);
  const code = errorCode(e);
  if (isTimeoutCode(code)) {
    return new LlmpError(ErrorCode.ProviderTimeout, `upstream stream stalled for more than ${provider.timeoutMs} ms`);
  }
  return new LlmpError(ErrorCode.ProviderError, `upstream stream ended unexpectedly (${code ?? 'connection lost'})`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UpstreamFailure('invalid-response', null, 'upstream answered 2xx with a body that is not JSON');
  }
}

function tryParseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return bytes.length ? bytes.toString('utf8') : undefined;
  }
}

function headerOf(res: UpstreamHttpResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
