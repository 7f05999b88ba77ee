/**
 * Requests that never reach a handler because Node's HTTP parser or its timers refused them: a
 * malformed request line or header, headers over the size limit, a request that did not arrive in
 * time. Node answers these with a bare status line and no body (or a plain-text one); here they
 * get the service's usual JSON error, `{"error": "..."}`, and the connection is closed, as Node
 * would: after a parse error the rest of the stream cannot be trusted.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

export interface ClientErrorLimits {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxHeaderSize: number;
}

/** The status and message for a parser or timeout error. */
export function describeClientError(
  error: NodeJS.ErrnoException,
  limits: ClientErrorLimits,
): { status: number; message: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        message: `request headers are larger than the limit of ${limits.maxHeaderSize} bytes`,
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        message:
          `request not received in time: headers must arrive within ${limits.headersTimeoutMs} ms ` +
          `and the whole request within ${limits.requestTimeoutMs} ms`,
      };
    case 'HPE_INVALID_METHOD':
      return { status: 400, message: 'malformed request: unknown HTTP method' };
    default:
      return { status: 400, message: `malformed HTTP request (${error.message})` };
  }
}

/** Writes the JSON error on the raw socket and closes it; returns the status, or undefined if nothing could be sent. */
export function answerClientError(
  error: NodeJS.ErrnoException,
  socket: Duplex,
  limits: ClientErrorLimits,
): number | undefined {
  // The client is gone, or a reply has already started on this socket: nothing sensible to add.
  const started = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
  if (error.code === 'ECONNRESET' || !socket.writable || started === true) {
    socket.destroy();
    return undefined;
  }
  const { status, message } = describeClientError(error, limits);
  const body = JSON.stringify({ error: message }) + '\n';
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Cache-Control: no-store\r\n' +
      'X-Content-Type-Options: nosniff\r\n' +
      'Connection: close\r\n\r\n' +
      body,
  );
  return status;
}
