import { ErrorCode, httpStatusOf } from './error-code';

/** Optional facts an error carries to the edge (never secrets). */
export interface LlmpErrorDetails {
  /** The request field at fault, reported as OpenAI's `param`. */
  param?: string;
  /** Seconds after which a retry may succeed (rate limits, budgets, cooldowns). */
  retryAfterSeconds?: number;
  /** Structured context, e.g. the failed upstream attempts or the limit that was hit. */
  data?: Record<string, unknown>;
  /** Extra response headers (rate limit headers on a denial). */
  headers?: Record<string, string>;
}

/** The one error type stages, services and adapters throw; the edge maps it to a surface envelope. */
export class LlmpError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: LlmpErrorDetails = {},
  ) {
    super(message);
    this.name = 'LlmpError';
  }

  get status(): number {
    return httpStatusOf(this.code);
  }
}
