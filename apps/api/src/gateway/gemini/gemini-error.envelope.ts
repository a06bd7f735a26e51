import { ErrorCode, type LlmpError } from '@llmp/common';

/** Google's canonical status name for a code; exhaustive, so a new code must pick its status here. */
export function geminiStatusOf(code: ErrorCode): string {
  switch (code) {
    case ErrorCode.InvalidRequest:
    case ErrorCode.ModelNotPriced:
    case ErrorCode.MaxTokensExceeded:
    case ErrorCode.RequestNeverFits:
    case ErrorCode.RequestTooLarge:
    case ErrorCode.Unsupported:
      return 'INVALID_ARGUMENT';
    case ErrorCode.InvalidApiKey:
      return 'UNAUTHENTICATED';
    case ErrorCode.PermissionDenied:
    case ErrorCode.ModelNotAllowed:
      return 'PERMISSION_DENIED';
    case ErrorCode.ModelNotFound:
    case ErrorCode.NotFound:
      return 'NOT_FOUND';
    case ErrorCode.Conflict:
      return 'ALREADY_EXISTS';
    case ErrorCode.RateLimitExceeded:
    case ErrorCode.BudgetExceeded:
    case ErrorCode.ProviderRateLimited:
      return 'RESOURCE_EXHAUSTED';
    case ErrorCode.NoProviderAvailable:
    case ErrorCode.LimitsUnavailable:
    case ErrorCode.KeysUnavailable:
    case ErrorCode.ProviderError:
      return 'UNAVAILABLE';
    case ErrorCode.ProviderTimeout:
      return 'DEADLINE_EXCEEDED';
    case ErrorCode.Internal:
      return 'INTERNAL';
  }
}

function statusNameOf(status: number): string {
  switch (status) {
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 429:
      return 'RESOURCE_EXHAUSTED';
    default:
      return status < 500 ? 'INVALID_ARGUMENT' : 'INTERNAL';
  }
}

/** `{"error":{"code","message","status"}}` with the HTTP status as `code`, as Google's APIs answer. */
export function geminiErrorBody(e: LlmpError): Record<string, unknown> {
  return { error: { code: e.status, message: e.message, status: geminiStatusOf(e.code), details: [{ reason: e.code }] } };
}

export function geminiErrorOfStatus(status: number, message: string): Record<string, unknown> {
  return { error: { code: status, message, status: statusNameOf(status) } };
}
