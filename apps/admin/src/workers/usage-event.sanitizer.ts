import type { Endpoint, UsageEvent } from '@llmp/common';
import { normalizeDecimal } from '@llmp/policy';
import { isStorableTime, RecordError } from './db-error';
import { repairDeep, repairText } from './text-repair';

const INT_MAX = 2_147_483_647;

/**
 * The longest value of each indexed text column. A btree entry holds at most ~2.7 KB, so a longer value fails its
 * row with SQLSTATE 54000 (the rollup key is key + team + model together: 128 + 128 + 512 characters of up to 3 UTF-8
 * bytes each stays under it). Data plane ingress bounds what clients send far below these (model names to 256
 * characters, request ids to 137); a longer value did not come through ingress, so the record is quarantined here,
 * before it costs the batch a database round trip.
 */
export const MAX_USAGE_TEXT_CHARS = {
  requestId: 256,
  keyId: 128,
  teamId: 128,
  requestedModel: 512,
  resolvedModel: 512,
  provider: 512,
  endpoint: 64,
  errorCode: 128,
} as const;

type BoundedField = keyof typeof MAX_USAGE_TEXT_CHARS;

function text(v: unknown, field: BoundedField | 'createdAt' | 'costUsd'): string {
  if (typeof v !== 'string') throw new RecordError(`${field} must be a string`);
  const max = field === 'createdAt' || field === 'costUsd' ? 64 : MAX_USAGE_TEXT_CHARS[field];
  if (v.length > max) throw new RecordError(`${field} is longer than ${max} characters (${v.length})`);
  return repairText(v);
}

function optText(v: unknown, field: BoundedField): string | null {
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
  if (!isStorableTime(createdAt)) throw new RecordError('createdAt is not a date between the years 1 and 9999');
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
