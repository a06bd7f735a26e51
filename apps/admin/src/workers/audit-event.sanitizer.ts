import type { ChainedFields } from '../audit/audit-chain';
import { RecordError } from './db-error';
import { repairDeep, repairText } from './text-repair';

function optText(v: unknown, field: string): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') throw new RecordError(`${field} must be a string`);
  return repairText(v);
}

/** Validates an audit job payload and repairs its strings, so what is hashed is exactly what is stored. */
export function sanitizeAuditEvent(raw: unknown): ChainedFields {
  if (!raw || typeof raw !== 'object') throw new RecordError('audit payload is not an object');
  const e = raw as Record<string, unknown>;
  const eventId = optText(e.eventId, 'eventId');
  const actorType = optText(e.actorType, 'actorType');
  const action = optText(e.action, 'action');
  if (!eventId || !actorType || !action) throw new RecordError('eventId, actorType and action are required');
  const time = new Date(typeof e.time === 'string' ? e.time : Number.NaN);
  if (Number.isNaN(time.getTime())) throw new RecordError('time is not a date');
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
