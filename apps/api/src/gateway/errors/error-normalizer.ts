import { randomUUID } from 'node:crypto';
import { HttpException, Logger } from '@nestjs/common';
import { ErrorCode, LlmpError } from '@llmp/common';

const logger = new Logger('GatewayErrors');

/** Fastify's own error codes for ingress failures, mapped to ours. */
function fromFastify(e: { code?: string; statusCode?: number; message: string }): LlmpError | null {
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new LlmpError(ErrorCode.RequestTooLarge, 'The request body is larger than the configured limit.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'LLMP_JSON_TOO_DEEP':
      return new LlmpError(ErrorCode.InvalidRequest, e.message);
    default:
      if (e.statusCode === 400) {
        return new LlmpError(ErrorCode.InvalidRequest, `We could not parse the JSON body of your request. (${e.message})`);
      }
      if (e.statusCode === 413) return new LlmpError(ErrorCode.RequestTooLarge, 'The request body is too large.');
      return null;
  }
}

/**
 * Turns anything thrown while serving a request into an LlmpError. Unknown errors become a 500 with an error id that
 * is logged, so no internal message leaks to the client.
 */
export function normalizeError(e: unknown, requestId: string): LlmpError {
  if (e instanceof LlmpError) return e;
  // The client went away; nothing can be sent and it is not a server fault (usage is settled by the pipeline).
  if ((e as Error)?.name === 'AbortError') return new LlmpError(ErrorCode.InvalidRequest, 'The client closed the request.');
  if (e instanceof HttpException) {
    const status = e.getStatus();
    if (status === 404) return new LlmpError(ErrorCode.NotFound, 'Unknown route.');
    if (status === 413) return new LlmpError(ErrorCode.RequestTooLarge, 'The request body is too large.');
    if (status < 500) return new LlmpError(ErrorCode.InvalidRequest, e.message);
  }
  if (e && typeof e === 'object' && 'message' in e) {
    const mapped = fromFastify(e as { code?: string; statusCode?: number; message: string });
    if (mapped) return mapped;
  }
  const errorId = randomUUID();
  logger.error({ msg: 'unhandled error', requestId, errorId, error: (e as Error)?.stack ?? String(e) });
  return new LlmpError(ErrorCode.Internal, `The server had an error while processing your request (error id ${errorId}).`);
}
