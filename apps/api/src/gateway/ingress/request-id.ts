import { randomBytes } from 'node:crypto';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** The id shown in `x-request-id`: the client's when it is sane, else a fresh one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  if (typeof header === 'string' && SANE_REQUEST_ID.test(header)) return header;
  return `req_${randomBytes(12).toString('base64url')}`;
}

/**
 * The id of this request in the ledger, limits and jobs: unique even when a client sends the same `x-request-id`
 * twice (a reused id would otherwise collapse two requests into one ledger row and one rate-limit entry).
 */
export function ledgerRequestId(shownId: string, clientHeader: string | string[] | undefined): string {
  return clientHeader === shownId ? `${shownId}~${randomBytes(6).toString('base64url')}` : shownId;
}
