import type { KeyRecord, KeyStatus } from '@llmp/policy';
import { policyFieldsView } from '../common/policy-fields.view';
import type { CreatedKeyDto } from './dto/created-key.dto';
import type { KeyDto } from './dto/key.dto';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function keyStatus(k: KeyRecord, now: number = Date.now()): KeyStatus {
  if (k.revokedAt) return 'revoked';
  if (k.expiresAt && k.expiresAt.getTime() <= now) return 'expired';
  return 'active';
}

/** The public view of a key (also what audit events record before and after). */
export function keyView(k: KeyRecord): KeyDto {
  return {
    id: k.id,
    name: k.name,
    keyPrefix: k.keyPrefix,
    teamId: k.teamId,
    status: keyStatus(k),
    ...policyFieldsView(k),
    expiresAt: iso(k.expiresAt),
    revokedAt: iso(k.revokedAt),
    lastUsedAt: iso(k.lastUsedAt),
    previousKeyExpiresAt: iso(k.previousKeyExpiresAt),
    metadata: k.metadata,
    debugLogging: k.debugLogging,
    createdAt: k.createdAt.toISOString(),
    updatedAt: k.updatedAt.toISOString(),
  };
}

/** Exactly the fields the create answer promises. */
export function createdKeyView(k: KeyRecord, secret: string): CreatedKeyDto {
  return {
    id: k.id,
    key: secret,
    keyPrefix: k.keyPrefix,
    name: k.name,
    teamId: k.teamId,
    allowedModels: k.allowedModels,
    modelAliases: k.modelAliases,
    perModelMaxTokens: k.perModelMaxTokens,
    rpm: k.rpm,
    tpm: k.tpm,
    maxParallel: k.maxParallel,
    maxChoices: k.maxChoices,
    budgetUsd: k.budgetUsd,
    budgetPeriod: k.budgetPeriod,
    expiresAt: iso(k.expiresAt),
    metadata: k.metadata,
    createdAt: k.createdAt.toISOString(),
  };
}
