import type { RequestSpan } from '@llmp/infra';
import type {
  Admission,
} from '@llmp/policy';
import type { CanonicalRequest, ModelResolution, Principal, TokenUsage, UpstreamAttempt } from '@llmp/common';

/**
 * What the pipeline learned about one request, for settlement, the ledger and audit. Only the pipeline writes it;
 * stages never see it.
 */
export class RequestTrace {
  principal: Principal | null = null;
  resolution: ModelResolution | null = null;
  admission: Admission | null = null;
  provider: string | null = null;
  attempts: UpstreamAttempt[] = [];
  status = 200;
  errorCode: string | null = null;
  usage: TokenUsage | null = null;
  firstTokenAt: number | null = null;
  /** Milliseconds spent waiting on upstreams (attempts, then each stream chunk), for the gateway-overhead metric. */
  upstreamMs = 0;
  /** Prompt text gathered lazily, only when an upstream reports no usage. */
  completionText: string[] = [];
  settled = false;
  /** The upstream's JSON answer, kept by reference for the per-key body log (`debugLogging`). */
  responseBody: unknown = null;
  /** OpenTelemetry spans of this request; null unless LLMP_OTEL_ENABLED (then nothing is allocated for them). */
  span: RequestSpan | null = null;

  constructor(readonly request: CanonicalRequest) {}
}
