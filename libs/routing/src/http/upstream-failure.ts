import { scrubSecrets } from '@llmp/common';
import type { CallSignal } from './call-signal';

/** Why an attempt failed in a way that lets the router try the next target. */
export type UpstreamFailureKind = 'connect' | 'timeout' | 'status' | 'invalid-response' | 'aborted';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * A failed attempt that happened before anything reached the client, so failing over is safe. Its reason is shown
 * to clients in the all-failed error and recorded in spans and the ledger, so it never contains a URL or header, and
 * any upstream text in it is scrubbed of credentials here, whoever built it.
 */
export class UpstreamFailure extends Error {
  readonly reason: string;

  constructor(
    readonly kind: UpstreamFailureKind,
    readonly status: number | null,
    reason: string,
    /** The upstream's `Retry-After` on a 429, in seconds. */
    readonly retryAfterSeconds?: number,
  ) {
    const safe = scrubSecrets(reason);
    super(safe);
    this.reason = safe;
    this.name = 'UpstreamFailure';
  }

  /** Classifies an error thrown by the HTTP client (connect, socket, timeout, abort). */
  static fromTransportError(e: unknown, signal: CallSignal): UpstreamFailure {
    if (e instanceof UpstreamFailure) return e;
    if (signal.aborted) return new UpstreamFailure('aborted', null, 'client closed the request');
    const code = errorCode(e);
    if (code && TIMEOUT_CODES.has(code)) return new UpstreamFailure('timeout', null, `timeout (${timeoutPhase(code)})`);
    if (code && NETWORK_CODES.has(code)) return new UpstreamFailure('connect', null, `connection failed (${code})`);
    // Unknown transport errors: name the class, not the message, which may echo the upstream address.
    return new UpstreamFailure('connect', null, `request failed (${code ?? (e as Error)?.name ?? 'error'})`);
  }
}

/** `Retry-After` as seconds from now (delta-seconds or an HTTP date), or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** The `code` of a Node or undici error, looking through `cause` (connect errors arrive wrapped). */
export function errorCode(e: unknown): string | undefined {
  for (let cur = e, depth = 0; cur && typeof cur === 'object' && depth < 4; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** True for errors meaning "the upstream stopped sending for longer than the provider's timeout". */
export function isTimeoutCode(code: string | undefined): boolean {
  return code !== undefined && TIMEOUT_CODES.has(code);
}

function timeoutPhase(code: string): string {
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return 'connect';
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return 'no response headers';
  return 'response body stalled';
}
