import type { Endpoint, ProviderConfig, UpstreamAttempt } from '@llmp/common';
import type { CallSignal } from './http/call-signal';

/** What the pipeline asks the router to do. The body is OpenAI-shaped; the router replaces `model` per target. */
export interface UpstreamCall {
  requestId: string;
  endpoint: Endpoint;
  body: Readonly<Record<string, unknown>>;
  stream: boolean;
  /** Aborted when the client disconnects; aborts the upstream request at once. */
  signal: CallSignal;
  /** Present only when tracing is on: one span per attempt, its trace context sent upstream. */
  tracing?: UpstreamTracing;
  /** Extra headers for this attempt only (trace context); set by the router, never from the client. */
  headers?: Readonly<Record<string, string>>;
}

/** Starts one attempt's span; implemented by the data plane's tracing hooks. */
export interface UpstreamTracing {
  attempt(provider: string, model: string): { readonly headers: Readonly<Record<string, string>>; end(status: number | null, failure?: string): void };
}

/** One concrete place to send a request. */
export interface RouteTarget {
  provider: ProviderConfig;
  /** The provider's model id. */
  model: string;
  priority: number;
  weight: number;
}

/** The ordered targets to try for one request (weights already applied to the order). */
export interface RoutePlan {
  model: string;
  targets: RouteTarget[];
}

/** A successful non-streaming upstream answer (already in the OpenAI shape). */
export interface JsonUpstreamResult {
  kind: 'json';
  status: number;
  body: Record<string, unknown>;
  target: RouteTarget;
  attempts: UpstreamAttempt[];
}

/**
 * OpenAI `chat.completion.chunk` (or completion chunk) objects that arrived together, in order. Streams pass whole
 * arrivals along instead of single chunks: every step through a chain of async generators costs promises and
 * microtasks, and an upstream read usually carries many events.
 */
export type ChunkBatch = Record<string, unknown>[];

/**
 * A started stream. `chunks` yields each arrival of chunks (never an empty one) as it comes and ends when the upstream
 * sent `[DONE]`; it throws LlmpError(provider_error) when the upstream dies mid-stream.
 */
export interface StreamUpstreamResult {
  kind: 'stream';
  status: number;
  chunks: AsyncIterable<ChunkBatch>;
  target: RouteTarget;
  attempts: UpstreamAttempt[];
}

/** An upstream 4xx (other than 429) that must reach the client unchanged and is never retried elsewhere. */
export interface PassthroughErrorResult {
  kind: 'passthrough-error';
  status: number;
  /** Raw upstream body bytes. */
  body: Buffer;
  contentType: string;
  target: RouteTarget;
  attempts: UpstreamAttempt[];
}

export type UpstreamResult = JsonUpstreamResult | StreamUpstreamResult | PassthroughErrorResult;
