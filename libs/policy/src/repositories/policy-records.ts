import type { BudgetPeriod, PolicyFields } from '@llmp/common';

/** Policy fields as an admin writes them; absent fields keep their current value on update. */
export type PolicyFieldsInput = Partial<PolicyFields>;

/** A key as the control plane sees it. Never carries the secret or its hash. */
export interface KeyRecord extends PolicyFields {
  id: string;
  name: string;
  keyPrefix: string;
  teamId: string | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  previousKeyExpiresAt: Date | null;
  metadata: Record<string, unknown>;
  /** Request and response bodies of this key are logged (redacted), for debugging one client. */
  debugLogging: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewKeyRow extends PolicyFieldsInput {
  id: string;
  name: string;
  keyHash: string;
  keyPrefix: string;
  teamId: string | null;
  expiresAt: Date | null;
  metadata: Record<string, unknown>;
  debugLogging?: boolean;
}

export interface KeyPatch extends PolicyFieldsInput {
  name?: string;
  teamId?: string | null;
  expiresAt?: Date | null;
  metadata?: Record<string, unknown>;
  debugLogging?: boolean;
}

export type KeyStatus = 'active' | 'revoked' | 'expired';

export interface KeyListFilter {
  teamId?: string;
  status?: KeyStatus;
  /** Case-insensitive substring of the name. */
  q?: string;
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface TeamRecord extends PolicyFields {
  id: string;
  name: string;
  metadata: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewTeamRow extends PolicyFieldsInput {
  id: string;
  name: string;
  metadata: Record<string, unknown>;
}

export interface TeamPatch extends PolicyFieldsInput {
  name?: string;
  metadata?: Record<string, unknown>;
}

export interface AliasRecord {
  alias: string;
  target: string;
  createdAt: Date;
  updatedAt: Date;
}

/** What authentication needs to know about the row a hash matched. */
export interface KeyAuthRecord {
  keyId: string;
  keyName: string;
  teamId: string | null;
  teamName: string | null;
  key: PolicyFields;
  team: PolicyFields | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  /** Set when the hash matched the previous secret of a rotated key: the moment it stops working. */
  previousSecretValidUntil: Date | null;
  matchedPrevious: boolean;
  debugLogging: boolean;
}

export const BUDGET_PERIODS: readonly BudgetPeriod[] = ['day', 'week', 'month', 'total'];
