import type { Endpoint, ProviderType } from '@llmp/common';
import type { RouteTarget, UpstreamCall, UpstreamResult } from '../routing.types';

type WithoutRouting<T> = T extends unknown ? Omit<T, 'target' | 'attempts'> : never;

/** What one attempt against one target produces; the router adds the target and the attempt list. */
export type AdapterOutcome = WithoutRouting<UpstreamResult>;

/**
 * One provider kind. `send` performs exactly one attempt: it resolves with an answer (or a 4xx to pass through) and
 * rejects with UpstreamFailure for anything the router may fail over on (connect error, timeout, 429, 5xx, 3xx,
 * an unreadable answer) — always before the first byte reaches the client. Adapters only map; retries, ordering and
 * health live in the router.
 */
export interface ProviderAdapter {
  readonly type: ProviderType;
  supports(endpoint: Endpoint): boolean;
  send(target: RouteTarget, call: UpstreamCall): Promise<AdapterOutcome>;
}
