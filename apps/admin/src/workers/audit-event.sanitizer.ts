import type { ChainedFields } from '../audit/audit-chain';
import { isStorableTime, RecordError } from './db-error';
import { repairDeep, repairText } from './text-repair';

/**
 * The longest event id accepted. Ids are llmp's own UUIDs; a longer one is not an event llmp produced, and it is the
 * chain's unique key, so it is quarantined (before it gets a place in the chain) rather than cut to a colliding id.
 */
const MAX_EVENT_ID_CHARS = 128;

/**
 * The longest actor, action, target, request id and source address stored. They are indexed (btree entries hold at
 * most ~2.7 KB, and a longer one fails its whole row with SQLSTATE 54000); data plane ingress bounds what clients
 * send far below this. A longer value is cut, marked, and written: an audit event is never lost to its own size, and
 * the cut value is what gets hashed, so the chain verifies.
 */
export const MAX_AUDIT_TEXT_CHARS = 512;

function bounded(value: string): string {
  if (value.length <= MAX_AUDIT_TEXT_CHARS) return repairText(value);
  const marker = `…[cut from ${value.length} characters]`;
  // Repaired after cutting: a cut through a surrogate pair leaves a lone half, which repairText replaces.
  return repairText(value.slice(0, MAX_AUDIT_TEXT_CHARS - marker.length) + marker);
}

function optText(v: unknown, field: string): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') throw new RecordError(`${field} must be a string`);
  return bounded(v);
}

/** Validates an audit job payload and repairs its strings, so what is hashed is exactly what is stored. */
export function sanitizeAuditEvent(raw: unknown): ChainedFields {
  if (!raw || typeof raw !== 'object') throw new RecordError('audit payload is not an object');
  const e = raw as Record<string, unknown>;
  if (typeof e.eventId === 'string' && e.eventId.length > MAX_EVENT_ID_CHARS) {
    throw new RecordError(`eventId is longer than ${MAX_EVENT_ID_CHARS} characters`);
  }
  const eventId = optText(e.eventId, 'eventId');
  const actorType = optText(e.actorType, 'actorType');
  const action = optText(e.action, 'action');
  if (!eventId || !actorType || !action) throw new RecordError('eventId, actorType and action are required');
  const time = new Date(typeof e.time === 'string' ? e.time : Number.NaN);
  if (!isStorableTime(time)) throw new RecordError('time is not a date between the years 1 and 9999');
  // Round-trip through JSON so the hashed value equals what jsonb gives back (no undefined, no Dates).
  const plain = (v: unknown): unknown => (v === undefined || v === null ? null : (JSON.parse(JSON.stringify(repairDeep(v))) as unknown));
  return {
    eventId,
    time,
    actorType,
    actorId: optText(e.actorId, 'actorId'),
    action,
    target: optText(e.target, 'target'),
    before: plain(e.before),
    after: plain(e.after),
    requestId: optText(e.requestId, 'requestId'),
    sourceIp: optText(e.sourceIp, 'sourceIp'),
  };
}
