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
  /**
   * Most bytes held from one upstream answer: a non-streamed body, or one streamed event (config
   * `providers[].maxResponseBytes`, else `routing.maxResponseBytes`; 64 MiB when unset). Beyond it the answer fails.
   */
  maxResponseBytes?: number;
  /** Extra static headers sent upstream (from config only, never from clients). */
  headers?: Record<string, string>;
  /**
   * Price of a forced `provider://model` call whose target is no configured model's target (a configured target is
   * priced as its model). Without it such calls are unpriced, and refused under a budget (`model_not_priced`).
   */
  pricing?: ModelPricing;
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
  /**
   * Output tokens per choice reserved (and sent upstream as the output limit) when neither the client nor the key's
   * `perModelMaxTokens` bounds the reply; llmp's default (4,096) when unset.
   */
  maxOutputTokens?: number;
}

export type RedisDownMode = 'local' | 'open' | 'closed';

/** Slowing of failed admin sign-ins and bad master-key/bearer attempts (counted in Redis, across replicas). */
export interface AdminLoginThrottle {
  /** Failures per email within the window before further attempts are refused for a while. */
  maxFailures: number;
  /** Failures per client IP within the window (logins and bad master-key/bearer credentials). */
  ipMaxFailures: number;
  windowSeconds: number;
  /** First lockout; each further failure while over the limit doubles it, up to maxLockSeconds. */
  lockSeconds: number;
  maxLockSeconds: number;
}

export interface GatewayConfig {
  providers: ProviderConfig[];
  models: ModelConfig[];
  /** Global aliases from the file; admin-managed aliases are layered on top. */
  aliases: Record<string, string>;
  auth: {
    mode: 'required' | 'disabled';
    /** Failed data plane authentications per client address per minute before further failures get a 429 (0: off). */
    maxFailuresPerMinute: number;
  };
  routing: {
    /** Consecutive failures after which a target cools down. */
    cooldownAfterFailures: number;
    cooldownMs: number;
  };
  limits: {
    onRedisDown: RedisDownMode;
    /**
     * Smallest output limit (per choice) llmp lowers a request to when the client sent none and the default would not
     * fit a tpm limit or budget; below it the request is refused as never fitting.
     */
    minOutputTokens: number;
    /**
     * Longest any request waits on Redis (key snapshot lookups, admission); past it the request falls back exactly as
     * when Redis is down.
     */
    redisTimeoutMs: number;
    /** A `maxParallel` slot's lease: renewed while its request runs, gone this long after its replica stops renewing. */
    parallelLeaseMs: number;
  };
  server: {
    bodyLimitBytes: number;
    /**
     * IPv4/IPv6 addresses and CIDRs of the proxies whose `X-Forwarded-For` names the client (empty: the TCP peer is
     * the client). Used by both planes for the client address: limiters, audit source IPs, the loopback rule.
     */
    trustedProxies: string[];
  };
  admin: { allowRemote: boolean; loginThrottle: AdminLoginThrottle };
  /** Where the config came from, for logs and `config check`. */
  source: string;
}
