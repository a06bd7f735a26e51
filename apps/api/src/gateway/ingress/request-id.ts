import { randomBytes } from 'node:crypto';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** The client's `x-request-id` when it is sane, else a fresh one; it is also the ledger and job id. */
export function requestIdFrom(header: string | string[] | undefined): string {
  if (typeof header === 'string' && SANE_REQUEST_ID.test(header)) return header;
  return `req_${randomBytes(12).toString('base64url')}`;
}
