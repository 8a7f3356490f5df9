/**
 * What a WebSocket upgrade passes before it becomes a WebSocket: authentication within a
 * deadline, and a refusal that closes the TCP connection instead of leaving it to the client.
 */
import type { Duplex } from 'node:stream';
import type { AuthResult } from '../connection.authenticator.js';

function httpResponse(status: string, body: string): string {
  return `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

export const UNAUTHORIZED = httpResponse('401 Unauthorized', 'Unauthorized');
export const SHUTTING_DOWN = httpResponse('503 Service Unavailable', 'Shutting down');
/**
 * 503, not 401: the credentials were not judged, the server could not decide in time. A client
 * may retry later; a 401 would tell it to drop a token that may be valid.
 */
export const AUTH_TIMED_OUT = httpResponse('503 Service Unavailable', 'Authentication timed out');

/** authenticate's answer, or why there is none: it took longer than authTimeoutMs, or the socket closed. */
export type UpgradeAuth = AuthResult | 'timed-out' | 'closed';

/**
 * Waits for `pending` at most `timeoutMs`, and no longer than the socket lives. A later answer
 * is dropped; the timer and the listener go with the first outcome, so nothing is left behind.
 */
export function authenticateWithin(pending: Promise<AuthResult>, socket: Duplex, timeoutMs: number): Promise<UpgradeAuth> {
  if (socket.destroyed) return Promise.resolve('closed');
  return new Promise((resolve) => {
    const settle = (outcome: UpgradeAuth): void => {
      clearTimeout(timer);
      socket.off('close', onClose);
      resolve(outcome);
    };
    const onClose = (): void => settle('closed');
    const timer = setTimeout(() => settle('timed-out'), timeoutMs);
    socket.once('close', onClose);
    // ConnectionAuthenticator never rejects; a refusal is still the safe reading if it ever does.
    pending.then(settle, () => settle({ ok: false }));
  });
}

/**
 * Answers a refused upgrade and closes the connection. The HTTP server's sockets allow half-open
 * connections and nobody reads a socket handed to an 'upgrade' listener, so end() alone would
 * hold the socket (and its file descriptor) until the client chose to close. As `ws` does, the
 * socket is destroyed once the response is flushed; it is a few bytes, so that never waits on the client.
 */
export function refuseUpgrade(socket: Duplex, response: string): void {
  if (socket.destroyed) return;
  if (socket.writableEnded) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(response);
}
