import { randomBytes } from 'node:crypto';
import { LlmpError, type GatewayConfig, type PolicyFields, type Principal, type RedisDownMode } from '@llmp/common';
import type { AdmissionRequest } from '@llmp/policy';

export function fields(over: Partial<PolicyFields> = {}): PolicyFields {
  return {
    allowedModels: [], modelAliases: {}, perModelMaxTokens: {}, modelLimits: {},
    rpm: null, tpm: null, maxParallel: null, maxChoices: null, budgetUsd: null, budgetPeriod: null,
    ...over,
  };
}

/** A key principal with fresh ids, so tests sharing one Redis prefix never share counters. */
export function principal(key: Partial<PolicyFields> = {}, team: Partial<PolicyFields> | null = null, ids?: { keyId?: string; teamId?: string }): Principal {
  const id = randomBytes(4).toString('hex');
  const teamId = team ? (ids?.teamId ?? `team_${id}`) : null;
  return {
    kind: 'key',
    snapshot: {
      keyId: ids?.keyId ?? `key_${id}`, keyName: `k-${id}`, teamId, teamName: teamId ? `t-${id}` : null,
      key: fields(key), team: team ? fields(team) : null, expiresAt: null,
    },
  };
}

export function gatewayConfig(onRedisDown: RedisDownMode = 'local'): GatewayConfig {
  return {
    providers: [], models: [], aliases: {}, auth: { mode: 'required', maxFailuresPerMinute: 30 },
    routing: { cooldownAfterFailures: 3, cooldownMs: 1000 }, limits: { onRedisDown, minOutputTokens: 256, redisTimeoutMs: 250, parallelLeaseMs: 30_000 },
    server: { bodyLimitBytes: 1_000_000, trustedProxies: [] }, source: 'test',
    admin: { allowRemote: false, loginThrottle: { maxFailures: 5, ipMaxFailures: 20, windowSeconds: 900, lockSeconds: 30, maxLockSeconds: 900 } },
  };
}

export function rid(): string {
  return `req_${randomBytes(6).toString('hex')}`;
}

/** An admission request of `p` for gpt-4o (10 prompt tokens, 10 output tokens and $0.01 reserved unless `over` says). */
export function request(p: Principal, over: Partial<AdmissionRequest> = {}): AdmissionRequest {
  return { requestId: rid(), principal: p, model: 'gpt-4o', promptTokensEstimate: 10, outputTokensReserved: 10, reservedCostUsd: 0.01, ...over };
}

/** The LlmpError `p` rejects with (any other outcome fails). */
export async function caught(p: Promise<unknown>): Promise<LlmpError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof LlmpError) return e;
    throw e;
  }
  throw new Error('expected an LlmpError');
}
