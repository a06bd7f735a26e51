import type { CallSignal } from './call-signal';

/**
 * The error for "the client went away": an `AbortError`, as fetch and undici use, so the pipeline can tell it from an
 * upstream failure (it settles such requests as 499 and never counts them against the target's health).
 */
export function abortError(signal: CallSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('client closed the request', 'AbortError');
}

export function isAbortError(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}
