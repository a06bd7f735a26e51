import type { RequestSpan } from '@llmp/infra';
import type {
  Admission,
} from '@llmp/policy';
import type { CanonicalRequest, ModelResolution, Principal, TokenUsage, UpstreamAttempt } from '@llmp/common';

/** Streamed completion text kept for counting tokens; beyond it, only characters are counted (bounded memory and CPU). */
const COMPLETION_SAMPLE_CHARS = 64 * 1024;

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
  /** The first COMPLETION_SAMPLE_CHARS characters of streamed completion text (see `addCompletion`). */
  completionText: string[] = [];
  /** Characters of streamed completion text seen, kept or not. */
  completionChars = 0;
  settled = false;
  /** The upstream's JSON answer, kept by reference for the per-key body log (`debugLogging`). */
  responseBody: unknown = null;
  /** OpenTelemetry spans of this request; null unless LLMP_OTEL_ENABLED (then nothing is allocated for them). */
  span: RequestSpan | null = null;

  constructor(readonly request: CanonicalRequest) {}

  /** Records a piece of streamed completion text; a 50 MB answer must not be held in memory to be counted. */
  addCompletion(piece: string): void {
    const room = COMPLETION_SAMPLE_CHARS - this.completionChars;
    this.completionChars += piece.length;
    if (room > 0) this.completionText.push(piece.length > room ? piece.slice(0, room) : piece);
  }
}
