import { ErrorCode, type LlmpError } from '@llmp/common';

/** Anthropic's `error.type` for a code; exhaustive, so a new code must pick its type here. */
export function anthropicErrorType(code: ErrorCode): string {
  switch (code) {
    case ErrorCode.InvalidApiKey:
      return 'authentication_error';
    case ErrorCode.PermissionDenied:
      return 'permission_error';
    case ErrorCode.ModelNotFound:
    case ErrorCode.NotFound:
      return 'not_found_error';
    case ErrorCode.RequestTooLarge:
      return 'request_too_large';
    case ErrorCode.RateLimitExceeded:
    case ErrorCode.BudgetExceeded:
    case ErrorCode.ProviderRateLimited:
      return 'rate_limit_error';
    case ErrorCode.NoProviderAvailable:
    case ErrorCode.LimitsUnavailable:
    case ErrorCode.KeysUnavailable:
      return 'overloaded_error';
    case ErrorCode.ProviderError:
    case ErrorCode.ProviderTimeout:
    case ErrorCode.Internal:
      return 'api_error';
    case ErrorCode.InvalidRequest:
    case ErrorCode.ModelNotAllowed:
    case ErrorCode.ModelNotPriced:
    case ErrorCode.MaxTokensExceeded:
    case ErrorCode.RequestNeverFits:
    case ErrorCode.Unsupported:
    case ErrorCode.Conflict:
      return 'invalid_request_error';
  }
}

function typeOfStatus(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  return status < 500 ? 'invalid_request_error' : 'api_error';
}

/** `{"type":"error","error":{"type","message"}}`; llmp's code rides along so clients can branch on it. */
export function anthropicErrorBody(e: LlmpError): Record<string, unknown> {
  return { type: 'error', error: { type: anthropicErrorType(e.code), message: e.message, code: e.code } };
}

/** An upstream client error (already in the canonical envelope) in Anthropic's envelope, same status. */
export function anthropicErrorOfStatus(status: number, message: string): Record<string, unknown> {
  return { type: 'error', error: { type: typeOfStatus(status), message } };
}
