// Shapes the OpenAPI document does not describe yet (GET /admin/v1/usage/records has no response schema): kept in
// one place so they go away when the server documents them.

/** A row of GET /admin/v1/usage/records. */
export interface UsageRecordRow {
  id: string;
  requestId: string;
  keyId: string | null;
  teamId: string | null;
  requestedModel: string;
  resolvedModel: string | null;
  provider: string | null;
  endpoint: string;
  status: number;
  errorCode: string | null;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  costUsd: string;
  latencyMs: number;
  streamed: boolean;
  createdAt: string;
}

export interface UsageRecordPage {
  data: UsageRecordRow[];
  nextCursor: string | null;
}
