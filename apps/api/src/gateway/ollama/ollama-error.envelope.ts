import { ErrorCode, type LlmpError } from '@llmp/common';

/**
 * Ollama's envelope is a bare `{"error":"…"}`; the code is prefixed so clients that only show the string still see
 * why. Exhaustive over codes so a new one must decide whether it is a policy denial worth naming.
 */
export function ollamaErrorBody(e: LlmpError): { error: string } {
  switch (e.code) {
    case ErrorCode.InvalidApiKey:
    case ErrorCode.PermissionDenied:
    case ErrorCode.ModelNotFound:
    case ErrorCode.ModelNotAllowed:
    case ErrorCode.ModelNotPriced:
    case ErrorCode.MaxTokensExceeded:
    case ErrorCode.RequestNeverFits:
    case ErrorCode.RateLimitExceeded:
    case ErrorCode.BudgetExceeded:
    case ErrorCode.ProviderRateLimited:
    case ErrorCode.Unsupported:
    case ErrorCode.NoProviderAvailable:
    case ErrorCode.ProviderError:
    case ErrorCode.ProviderTimeout:
    case ErrorCode.LimitsUnavailable:
    case ErrorCode.KeysUnavailable:
      return { error: `${e.code}: ${e.message}` };
    case ErrorCode.InvalidRequest:
    case ErrorCode.RequestTooLarge:
    case ErrorCode.NotFound:
    case ErrorCode.Conflict:
    case ErrorCode.Internal:
      return { error: e.message };
  }
}
