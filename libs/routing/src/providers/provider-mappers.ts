import type { Endpoint, ProviderConfig } from '@llmp/common';
import type { SseEvent } from '../http/sse-parser';
import type { RouteTarget, UpstreamCall } from '../routing.types';

/** Returned by a stream mapping when the upstream signalled a clean end (OpenAI's `[DONE]`, Anthropic's message_stop). */
export const STREAM_DONE = Symbol('STREAM_DONE');

/** What one upstream SSE event becomes: nothing (pings), one or several OpenAI chunks, or the clean end. */
export type StreamStep = Record<string, unknown> | readonly Record<string, unknown>[] | null | typeof STREAM_DONE;

/**
 * The shapes every HTTP provider fills in; HttpProviderAdapter does the I/O, the failover classification and the SSE
 * parsing once for all of them. A new provider kind (anthropic, gemini, ollama) is three mappers, no transport code.
 */
export interface RequestMapper {
  /** The path under baseUrl serving this endpoint, or undefined when the provider cannot serve it. */
  path(endpoint: Endpoint, stream: boolean, target: RouteTarget): string | undefined;
  /** Static headers for a provider (computed once per provider and cached by the adapter). */
  headers(provider: ProviderConfig): Record<string, string>;
  /** The serialized upstream body. Never reads steering fields: the upstream URL and credentials come from config. */
  body(target: RouteTarget, call: UpstreamCall): string;
}

export interface ResponseMapper {
  /** Maps a parsed 2xx upstream body to the OpenAI shape; throws UpstreamFailure('invalid-response') if unusable. */
  map(endpoint: Endpoint, body: unknown, target: RouteTarget): Record<string, unknown>;
  /** A short, credential-free description of an upstream error body, for attempt reasons. */
  errorMessage(body: unknown): string | undefined;
  /** Re-envelopes an upstream 4xx body in OpenAI's error shape; absent for providers that already speak it. */
  passthroughError?(status: number, body: unknown): Buffer;
}

/** Per-stream state (some providers need to remember ids or roles across events). */
export interface StreamMapping {
  /** Maps one event; throws LlmpError for an upstream error event. */
  map(event: SseEvent): StreamStep;
  /**
   * Called when the input ended without STREAM_DONE, for providers whose streams have no end marker: the final
   * chunks of a complete answer, or null when the stream was cut short.
   */
  end?(): readonly Record<string, unknown>[] | null;
}

export interface StreamMapper {
  open(endpoint: Endpoint, target: RouteTarget, call: UpstreamCall): StreamMapping;
}
