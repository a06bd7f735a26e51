/** The operation a client asked for, independent of the surface it used. */
export type Endpoint = 'chat' | 'completions' | 'embeddings' | 'responses' | 'messages' | 'count_tokens';

/** The inbound API dialect, which decides the error envelope and response shape. */
export type Surface = 'openai' | 'anthropic' | 'gemini' | 'ollama';

/**
 * A request after ingress: the client's body in the OpenAI shape (unknown fields kept), plus what the pipeline needs.
 * Stages never mutate it; they return new bodies.
 */
export interface CanonicalRequest {
  /** Unique id for the ledger, limits and jobs. */
  requestId: string;
  /** The id returned in `x-request-id` (the client's own when it sent a sane one). */
  responseRequestId: string;
  surface: Surface;
  endpoint: Endpoint;
  /** The OpenAI-shaped body as the client sent it, steering fields removed. */
  body: Readonly<Record<string, unknown>>;
  model: string;
  stream: boolean;
  /** Whether the client asked for `stream_options.include_usage`. */
  clientWantsStreamUsage: boolean;
  /** Credential candidates found in headers and query, in the order they were found. */
  credentials: string[];
  sourceIp: string;
  receivedAt: number;
  /** HTTP method and route pattern (e.g. `/v1beta/models/:model`), for the access log: never a query string. */
  method?: string;
  path?: string;
}

/** The one upstream a `provider://model` request is routed to. */
export interface ForcedTarget {
  provider: string;
  /** The upstream model name, as the client wrote it after `://`. */
  model: string;
}

/** Result of model resolution (stage 2). */
export interface ModelResolution {
  requested: string;
  /**
   * The policy model: the name the allowlist, caps, key x model limits, prices and the ledger use. A configured
   * model's name, also for a forced target that is a target of that model; `provider://model` for a forced target no
   * configured model has. Never the bare upstream name.
   */
  resolved: string;
  /** Names walked through, first to last, e.g. ["fast", "gpt-4o-mini"]. */
  aliasChain: string[];
  /** Set when the name (or an alias) was `provider://model`: the only target the request is routed to. */
  forced?: ForcedTarget;
}

/** `provider://model`, the form allowlists, caps and prices name a forced target by. */
export function forcedName(target: ForcedTarget): string {
  return `${target.provider}://${target.model}`;
}

/** Whether the policy model is a configured model (always, except for a forced target no configured model has). */
export function isConfiguredModel(resolution: ModelResolution): boolean {
  return resolution.forced === undefined || resolution.resolved !== forcedName(resolution.forced);
}

/** Token usage as reported by an upstream or estimated by llmp. */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** True when llmp counted the tokens itself. */
  estimated: boolean;
}

/** One try against one upstream target, kept for usage, audit and error messages. No credentials. */
export interface UpstreamAttempt {
  provider: string;
  model: string;
  status: number | null;
  reason: string;
  latencyMs: number;
  /** The upstream's `Retry-After` on a 429, in seconds. */
  retryAfterSeconds?: number;
}
