// The control plane's response shapes the CLI reads (see apps/admin/src/*/dto). Declared here rather than imported
// so the CLI build does not pull the Nest DTO classes into its output.

export type BudgetPeriod = 'day' | 'week' | 'month' | 'total';

/** Policy fields keys and teams share, as the API writes and shows them. */
export interface PolicyFields {
  allowedModels: string[];
  modelAliases: Record<string, string>;
  perModelMaxTokens: Record<string, number>;
  modelLimits?: Record<string, { rpm?: number; tpm?: number }>;
  rpm: number | null;
  tpm: number | null;
  maxParallel: number | null;
  /** Absent from servers older than the field. */
  maxChoices?: number | null;
  budgetUsd: number | null;
  budgetPeriod: BudgetPeriod | null;
}

export interface KeyView extends PolicyFields {
  id: string;
  name: string;
  keyPrefix: string;
  teamId: string | null;
  status: 'active' | 'revoked' | 'expired';
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  previousKeyExpiresAt: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface CreatedKey extends PolicyFields {
  id: string;
  key: string;
  keyPrefix: string;
  name: string;
  teamId: string | null;
  expiresAt: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
}

export interface RotatedKey extends KeyView {
  key: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface TeamView extends PolicyFields {
  id: string;
  name: string;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface AliasView {
  alias: string;
  target: string;
  source: 'config' | 'admin';
}

export interface UsageSums {
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  costUsd: string;
}

export interface UsageRow extends UsageSums {
  day?: string;
  keyId?: string | null;
  keyName?: string | null;
  teamId?: string | null;
  teamName?: string | null;
  model?: string;
}

export interface UsageReport {
  from: string;
  to: string;
  groupBy: string[];
  rows: UsageRow[];
  totals: UsageSums;
  unpricedModels: string[];
}

export interface AuditEvent {
  seq: string;
  eventId: string;
  time: string;
  actorType: string;
  actorId: string | null;
  action: string;
  target: string | null;
  requestId: string | null;
  sourceIp: string | null;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  firstBrokenSeq?: string;
}
