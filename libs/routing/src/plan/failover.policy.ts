import type { UpstreamAttempt } from '@llmp/common';
import { ErrorCode, LlmpError } from '@llmp/common';
import type { UpstreamFailure } from '../http/upstream-failure';

// When every target said 429 without a usable Retry-After, and the bounds of what we pass on to clients.
const DEFAULT_RETRY_AFTER_SECONDS = 1;
const MAX_RETRY_AFTER_SECONDS = 3600;

/**
 * The error when every target failed: 429 with the soonest upstream `Retry-After` when every target was rate
 * limited (the client should wait, not report an outage), 504 when the last failure was a timeout (the client's
 * wait is what went wrong), else 502. The message names each attempt, and the attempts travel in `details.data`
 * for usage and audit.
 */
export function allTargetsFailed(model: string, attempts: UpstreamAttempt[], last: UpstreamFailure): LlmpError {
  const list = attempts.map((a) => `${a.provider}/${a.model}: ${a.reason}`).join('; ');
  if (attempts.length > 0 && attempts.every((a) => a.status === 429)) {
    const hints = attempts.map((a) => a.retryAfterSeconds).filter((s): s is number => s !== undefined);
    const soonest = hints.length ? Math.min(...hints) : DEFAULT_RETRY_AFTER_SECONDS;
    const retryAfterSeconds = Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, soonest));
    const what = attempts.length === 1 ? 'The upstream provider' : `All ${attempts.length} upstream providers`;
    return new LlmpError(ErrorCode.ProviderRateLimited, `${what} for \`${model}\` rate limited the request; retry in ${retryAfterSeconds}s (${list})`, {
      retryAfterSeconds,
      data: { attempts },
    });
  }
  const code = last.kind === 'timeout' ? ErrorCode.ProviderTimeout : ErrorCode.ProviderError;
  const what = attempts.length === 1 ? 'The upstream provider' : `All ${attempts.length} upstream providers`;
  const failed = code === ErrorCode.ProviderTimeout && attempts.length === 1 ? 'timed out' : 'failed';
  return new LlmpError(code, `${what} for \`${model}\` ${failed} (${list})`, { data: { attempts } });
}

/** The attempt record for a failure (status null for connect errors and timeouts). */
export function failedAttempt(provider: string, model: string, failure: UpstreamFailure, latencyMs: number): UpstreamAttempt {
  const attempt: UpstreamAttempt = { provider, model, status: failure.status, reason: failure.reason, latencyMs };
  if (failure.retryAfterSeconds !== undefined) attempt.retryAfterSeconds = failure.retryAfterSeconds;
  return attempt;
}
