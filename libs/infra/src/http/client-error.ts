import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

/** What Node's HTTP parser refused before any route saw the request, as a status and a message a client can act on. */
export interface ClientErrorDescription {
  status: number;
  /** `invalid_request_error`, `request_timeout` or `request_too_large` (headers). */
  code: string;
  message: string;
}

export function describeClientError(err: NodeJS.ErrnoException): ClientErrorDescription {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'request_timeout', message: 'The request was not received in time.' };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'request_too_large', message: 'The request headers are too large.' };
    case 'HPE_INVALID_HEADER_TOKEN':
    case 'HPE_INVALID_TRANSFER_ENCODING':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_LF_EXPECTED':
    case 'HPE_CR_EXPECTED':
      return { status: 400, code: 'invalid_request_error', message: 'The request has a malformed header (invalid characters, or conflicting or invalid length headers).' };
    default:
      return { status: 400, code: 'invalid_request_error', message: 'The request is not valid HTTP/1.1.' };
  }
}

/**
 * Replaces Fastify's client error handler, whose body (`{"error":"Bad Request","message":"Client Error"}`) is in no
 * envelope a client knows: a request Node's parser refuses (bad header bytes, oversized headers, a body that never
 * arrives) gets the service's own error envelope, built by `body`, and the connection is closed as Node would.
 */
export function clientErrorHandler(
  body: (d: ClientErrorDescription) => object,
  /** Headers every response of the service carries (the control plane's security headers). */
  extraHeaders: Readonly<Record<string, string>> = {},
): (err: NodeJS.ErrnoException, socket: Socket) => void {
  const extra = Object.entries(extraHeaders).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return (err, socket) => {
    // A reset connection has nobody left to answer.
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    if (socket.writable) {
      const d = describeClientError(err);
      const text = JSON.stringify(body(d));
      socket.write(
        `HTTP/1.1 ${d.status} ${STATUS_CODES[d.status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `${extra}Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
      );
    }
    socket.destroy(err);
  };
}
