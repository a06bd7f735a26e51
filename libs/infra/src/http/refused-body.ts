import type { FastifyReply } from 'fastify';

/** Past this declared length a refused body is not worth reading to its end; the connection is closed instead. */
const MAX_REFUSED_BODY_DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * A body refused as too large (413) is answered before the client has finished sending it. Fastify marks that reply
 * `connection: close`, and Node then closes the socket while the body is still arriving: the kernel resets the
 * connection and the client fails with EPIPE instead of reading the 413 (about half of 11 MB uploads did here).
 * Keeping the connection lets Node read and discard the rest of the body, bounded by the server's requestTimeout,
 * so the client reads its answer; a draining server still closes the connection once it is idle. A body declared
 * larger than MAX_REFUSED_BODY_DRAIN_BYTES is not read: its connection closes as Fastify intended.
 */
export function letClientFinishRefusedBody(reply: FastifyReply, status: number): void {
  if (status !== 413 || reply.raw.headersSent) return;
  const declared = Number(reply.request.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_REFUSED_BODY_DRAIN_BYTES) return;
  reply.removeHeader('connection');
}
