/** Provider kinds llmp can call. */
export type ProviderType = 'openai' | 'anthropic' | 'gemini' | 'ollama' | 'mock';

export interface ProviderConfig {
  name: string;
  type: ProviderType;
  /** Base URL of the upstream API (for `openai`, the URL ending in `/v1`). Not used by `mock`. */
  baseUrl?: string;
  /** Resolved upstream credential; never logged, never returned. */
  apiKey?: string;
  timeoutMs: number;
  /** Extra static headers sent upstream (from config only, never from clients). */
  headers?: Record<string, string>;
}

export interface ModelTarget {
  provider: string;
  model: string;
  priority: number;
  weight: number;
}

export interface ModelPricing {
  /** USD per million input tokens. */
  input: number;
  /** USD per million output tokens. */
  output: number;
}

export interface ModelConfig {
  name: string;
  targets: ModelTarget[];
  pricing?: ModelPricing;
}

export type RedisDownMode = 'local' | 'open' | 'closed';

export interface GatewayConfig {
  providers: ProviderConfig[];
  models: ModelConfig[];
  /** Global aliases from the file; admin-managed aliases are layered on top. */
  aliases: Record<string, string>;
  auth: { mode: 'required' | 'disabled' };
  routing: {
    /** Consecutive failures after which a target cools down. */
    cooldownAfterFailures: number;
    cooldownMs: number;
  };
  limits: { onRedisDown: RedisDownMode };
  server: { bodyLimitBytes: number };
  admin: { allowRemote: boolean };
  /** Where the config came from, for logs and `config check`. */
  source: string;
}
