import type { Endpoint, UsageEvent } from '@llmp/common';
import { normalizeDecimal } from '@llmp/policy';
import { RecordError } from './db-error';
import { repairDeep, repairText } from './text-repair';

const INT_MAX = 2_147_483_647;

function text(v: unknown, field: string): string {
  if (typeof v !== 'string') throw new RecordError(`${field} must be a string`);
  return repairText(v);
}

function optText(v: unknown, field: string): string | null {
  return v === null || v === undefined ? null : text(v, field);
}

function int(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > INT_MAX) throw new RecordError(`${field} must be a non-negative int32`);
  return v;
}

/** Validates a job payload and repairs its strings; throws RecordError for a payload no retry can fix. */
export function sanitizeUsageEvent(raw: unknown): UsageEvent {
  if (!raw || typeof raw !== 'object') throw new RecordError('usage payload is not an object');
  const e = raw as Record<string, unknown>;
  const createdAt = new Date(text(e.createdAt, 'createdAt'));
  if (Number.isNaN(createdAt.getTime())) throw new RecordError('createdAt is not a date');
  let costUsd: string;
  try {
    costUsd = normalizeDecimal(text(e.costUsd ?? '0', 'costUsd'));
  } catch {
    throw new RecordError('costUsd is not a decimal');
  }
  const requestId = text(e.requestId, 'requestId');
  if (!requestId) throw new RecordError('requestId is empty');
  return {
    requestId,
    keyId: optText(e.keyId, 'keyId'),
    teamId: optText(e.teamId, 'teamId'),
    requestedModel: text(e.requestedModel ?? '', 'requestedModel'),
    resolvedModel: optText(e.resolvedModel, 'resolvedModel'),
    provider: optText(e.provider, 'provider'),
    endpoint: text(e.endpoint, 'endpoint') as Endpoint,
    status: int(e.status, 'status'),
    errorCode: optText(e.errorCode, 'errorCode'),
    promptTokens: int(e.promptTokens ?? 0, 'promptTokens'),
    completionTokens: int(e.completionTokens ?? 0, 'completionTokens'),
    totalTokens: int(e.totalTokens ?? 0, 'totalTokens'),
    costUsd,
    priced: e.priced !== false,
    estimated: e.estimated === true,
    latencyMs: int(e.latencyMs ?? 0, 'latencyMs'),
    ttftMs: e.ttftMs === null || e.ttftMs === undefined ? null : int(e.ttftMs, 'ttftMs'),
    streamed: e.streamed === true,
    attempts: (Array.isArray(e.attempts) ? repairDeep(e.attempts) : []) as UsageEvent['attempts'],
    createdAt: createdAt.toISOString(),
  };
}
