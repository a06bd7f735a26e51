import { createHash } from 'node:crypto';

/** prevHash of the first event ever written. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/** Postgres advisory lock key that serializes appends to (and pruning of) the chain across every worker. */
export const AUDIT_CHAIN_LOCK = 7_411_202_611;

/** Action of the event the pruner appends, recording the anchor from which verification restarts. */
export const AUDIT_PRUNE_ACTION = 'audit.pruned';

/** The hashed fields of an event, exactly as they read back from the database. */
export interface ChainedFields {
  eventId: string;
  time: Date;
  actorType: string;
  actorId: string | null;
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  sourceIp: string | null;
}

/** JSON with object keys sorted at every level, so jsonb's key reordering never changes a hash. */
export function canonicalJson(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** hash = sha256(prevHash + canonicalJSON(event)). */
export function chainHash(prevHash: string, e: ChainedFields): string {
  const body = canonicalJson({
    action: e.action,
    actorId: e.actorId,
    actorType: e.actorType,
    after: e.after ?? null,
    before: e.before ?? null,
    eventId: e.eventId,
    requestId: e.requestId,
    sourceIp: e.sourceIp,
    target: e.target,
    time: e.time.toISOString(),
  });
  return createHash('sha256').update(prevHash + body, 'utf8').digest('hex');
}
