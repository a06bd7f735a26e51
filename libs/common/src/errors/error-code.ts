/**
 * Every failure llmp can report. Each surface's edge maps a code to its HTTP status and envelope in one exhaustive
 * switch, so adding a code without deciding its status is a compile error.
 */
export enum ErrorCode {
  InvalidRequest = 'invalid_request_error',
  RequestTooLarge = 'request_too_large',
  InvalidApiKey = 'invalid_api_key',
  PermissionDenied = 'permission_denied',
  ModelNotFound = 'model_not_found',
  ModelNotAllowed = 'model_not_allowed',
  /** A request under a budget for a model (or forced provider) with no price: it would otherwise be free. */
  ModelNotPriced = 'model_not_priced',
  MaxTokensExceeded = 'max_tokens_exceeded',
  RequestNeverFits = 'request_exceeds_limit',
  RateLimitExceeded = 'rate_limit_exceeded',
  BudgetExceeded = 'budget_exceeded',
  LimitsUnavailable = 'limits_unavailable',
  /** A key not cached anywhere cannot be checked because the key store (Postgres) is unreachable. */
  KeysUnavailable = 'keys_unavailable',
  NoProviderAvailable = 'no_provider_available',
  ProviderError = 'provider_error',
  ProviderTimeout = 'provider_timeout',
  /** Every upstream target answered 429: the client should come back after `Retry-After`, not treat it as an outage. */
  ProviderRateLimited = 'provider_rate_limited',
  Unsupported = 'unsupported',
  NotFound = 'not_found',
  Conflict = 'conflict',
  Internal = 'internal_error',
}

/** HTTP status for a code; the only place that decides it. */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.InvalidRequest:
    case ErrorCode.ModelNotAllowed:
    case ErrorCode.ModelNotPriced:
    case ErrorCode.MaxTokensExceeded:
    case ErrorCode.RequestNeverFits:
      return 400;
    case ErrorCode.InvalidApiKey:
      return 401;
    case ErrorCode.PermissionDenied:
      return 403;
    case ErrorCode.ModelNotFound:
    case ErrorCode.NotFound:
      return 404;
    case ErrorCode.Conflict:
      return 409;
    case ErrorCode.RequestTooLarge:
      return 413;
    case ErrorCode.RateLimitExceeded:
    case ErrorCode.BudgetExceeded:
    case ErrorCode.ProviderRateLimited:
      return 429;
    case ErrorCode.Unsupported:
      return 501;
    case ErrorCode.ProviderError:
      return 502;
    case ErrorCode.NoProviderAvailable:
    case ErrorCode.LimitsUnavailable:
    case ErrorCode.KeysUnavailable:
      return 503;
    case ErrorCode.ProviderTimeout:
      return 504;
    case ErrorCode.Internal:
      return 500;
  }
}

/** OpenAI's `error.type` for a code. */
export function openAiErrorTypeOf(code: ErrorCode): string {
  switch (code) {
    case ErrorCode.InvalidApiKey:
      return 'authentication_error';
    case ErrorCode.PermissionDenied:
      return 'permission_error';
    case ErrorCode.RateLimitExceeded:
    case ErrorCode.BudgetExceeded:
    case ErrorCode.ProviderRateLimited:
      return 'rate_limit_error';
    case ErrorCode.ModelNotFound:
    case ErrorCode.NotFound:
      return 'not_found_error';
    case ErrorCode.ProviderError:
    case ErrorCode.ProviderTimeout:
    case ErrorCode.NoProviderAvailable:
    case ErrorCode.LimitsUnavailable:
    case ErrorCode.KeysUnavailable:
    case ErrorCode.Internal:
      return 'api_error';
    case ErrorCode.InvalidRequest:
    case ErrorCode.RequestTooLarge:
    case ErrorCode.ModelNotAllowed:
    case ErrorCode.ModelNotPriced:
    case ErrorCode.MaxTokensExceeded:
    case ErrorCode.RequestNeverFits:
    case ErrorCode.Unsupported:
    case ErrorCode.Conflict:
      return 'invalid_request_error';
  }
}
