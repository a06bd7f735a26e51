import pg from 'pg';
import { sleep } from '../production/production.fixture';

/** One usage record as the fault cases check it. */
export interface LedgerRow {
  /** The client's `x-request-id` (the ledger id without its `~suffix`). */
  clientId: string;
  requestId: string;
  status: number;
  errorCode: string | null;
  provider: string | null;
  streamed: boolean;
  completionTokens: number;
  attempts: { provider: string; model: string; status: number | null; reason: string; latencyMs: number }[];
}

/** What the ledger holds for a set of requests: rows by client id, and how many are missing or duplicated. */
export interface LedgerAccount {
  rows: Map<string, LedgerRow[]>;
  /** Requests with no usage record: the case's data loss. */
  missing: number;
  /** Requests with more than one record (one request must be exactly one record). */
  duplicated: number;
}

async function query(requestIds: string[]): Promise<LedgerRow[]> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const r = await client.query(
      `SELECT split_part("requestId", '~', 1) AS "clientId", "requestId", status, "errorCode", provider, streamed, "completionTokens", attempts
         FROM "UsageRecord" WHERE split_part("requestId", '~', 1) = ANY($1)`,
      [requestIds],
    );
    return r.rows as LedgerRow[];
  } finally {
    await client.end();
  }
}

/**
 * Waits (up to `timeoutMs`) until every request sent with these `x-request-id`s has its usage record in Postgres,
 * then accounts for them. Needs the ledger workers running (`startWorkers()` from the production fixture).
 */
export async function accountLedger(requestIds: string[], timeoutMs = 15_000): Promise<LedgerAccount> {
  const until = Date.now() + timeoutMs;
  let rows: LedgerRow[] = [];
  for (;;) {
    rows = await query(requestIds);
    if (new Set(rows.map((r) => r.clientId)).size >= requestIds.length || Date.now() > until) break;
    await sleep(100);
  }
  // A short settle so a late duplicate would show up too.
  await sleep(200);
  rows = await query(requestIds);
  const byId = new Map<string, LedgerRow[]>();
  for (const r of rows) byId.set(r.clientId, [...(byId.get(r.clientId) ?? []), r]);
  const missing = requestIds.filter((id) => !byId.has(id)).length;
  const duplicated = [...byId.values()].filter((rs) => rs.length > 1).length;
  return { rows: byId, missing, duplicated };
}

/** Audit events carrying these request ids (the data plane audits policy denials). */
export async function auditEventsFor(requestIds: string[]): Promise<{ requestId: string; action: string }[]> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const r = await client.query(
      `SELECT split_part("requestId", '~', 1) AS "requestId", action FROM "AuditEvent" WHERE split_part("requestId", '~', 1) = ANY($1)`,
      [requestIds],
    );
    return r.rows as { requestId: string; action: string }[];
  } finally {
    await client.end();
  }
}
