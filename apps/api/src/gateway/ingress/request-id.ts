import { randomBytes } from 'node:crypto';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Fresh ids are a random per-process prefix plus a counter: unique across replicas and restarts (96 random bits),
 * without a crypto call on every request.
 */
const PROCESS_PREFIX = `req_${randomBytes(12).toString('base64url')}`;
let sequence = 0;

/** The id shown in `x-request-id`: the client's when it is sane, else a fresh one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  if (typeof header === 'string' && SANE_REQUEST_ID.test(header)) return header;
  sequence = (sequence + 1) % Number.MAX_SAFE_INTEGER;
  return `${PROCESS_PREFIX}${sequence.toString(36)}`;
}

/**
 * The id of this request in the ledger, limits and jobs: unique even when a client sends the same `x-request-id`
 * twice (a reused id would otherwise collapse two requests into one ledger row and one rate-limit entry).
 */
export function ledgerRequestId(shownId: string, clientHeader: string | string[] | undefined): string {
  return clientHeader === shownId ? `${shownId}~${randomBytes(6).toString('base64url')}` : shownId;
}
