import type { UpstreamAttempt } from '@llmp/common';
import { ErrorCode, LlmpError } from '@llmp/common';
import type { UpstreamFailure } from '../http/upstream-failure';

/**
 * The error when every target failed: 504 when the last failure was a timeout (the client's wait is what went
 * wrong), else 502. The message names each attempt, and the attempts travel in `details.data` for usage and audit.
 */
export function allTargetsFailed(model: string, attempts: UpstreamAttempt[], last: UpstreamFailure): LlmpError {
  const list = attempts.map((a) => `${a.provider}/${a.model}: ${a.reason}`).join('; ');
  const code = last.kind === 'timeout' ? ErrorCode.ProviderTimeout : ErrorCode.ProviderError;
  const what = attempts.length === 1 ? 'The upstream provider' : `All ${attempts.length} upstream providers`;
  const failed = code === ErrorCode.ProviderTimeout && attempts.length === 1 ? 'timed out' : 'failed';
  return new LlmpError(code, `${what} for \`${model}\` ${failed} (${list})`, { data: { attempts } });
}

/** The attempt record for a failure (status null for connect errors and timeouts). */
export function failedAttempt(provider: string, model: string, failure: UpstreamFailure, latencyMs: number): UpstreamAttempt {
  return { provider, model, status: failure.status, reason: failure.reason, latencyMs };
}
