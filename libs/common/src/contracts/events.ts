import type { Endpoint, UpstreamAttempt } from './canonical';

/** One ledger row, as enqueued by the data plane. Job id = requestId. */
export interface UsageEvent {
  requestId: string;
  keyId: string | null;
  teamId: string | null;
  requestedModel: string;
  resolvedModel: string | null;
  provider: string | null;
  endpoint: Endpoint;
  status: number;
  errorCode: string | null;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Decimal string, USD. */
  costUsd: string;
  priced: boolean;
  estimated: boolean;
  latencyMs: number;
  ttftMs: number | null;
  streamed: boolean;
  attempts: UpstreamAttempt[];
  /** ISO time the request was received. */
  createdAt: string;
}

export type AuditActorType = 'master' | 'admin' | 'key' | 'anonymous' | 'system';

/** An audit event before it is chained. Job id = eventId. Never contains secrets. */
export interface AuditEventInput {
  eventId: string;
  time: string;
  actorType: AuditActorType;
  actorId: string | null;
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  sourceIp: string | null;
}
