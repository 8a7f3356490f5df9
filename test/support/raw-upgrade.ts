import type { Server } from 'node:http';
import net from 'node:net';

/** A WebSocket upgrade request written by hand on a bare TCP socket, as a hostile client would. */
export interface RawUpgrade {
  socket: net.Socket;
  /** The HTTP status the server answered with (rejects if the socket closes before a status line). */
  status: Promise<number>;
  /** Resolves when the server has ended its side (its FIN arrived). */
  ended: Promise<void>;
  /** Resolves when the client socket is closed, whoever closed it. */
  closed: Promise<void>;
}

/**
 * Opens a TCP connection and writes an upgrade request for `path`. The socket allows half-open
 * connections, so it never ends its side by itself: only the server can close the connection.
 */
export function rawUpgrade(port: number, path: string): RawUpgrade {
  const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  // A reset is what a closed server answers to a late write: expected, and seen through `closed`.
  socket.on('error', () => undefined);
  const ended = new Promise<void>((resolve) => socket.once('end', () => resolve()));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const status = new Promise<number>((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3}) /.exec(text);
      if (match === null) return;
      socket.off('data', onData);
      socket.resume(); // keep reading, so that the server's FIN is seen
      resolve(Number(match[1]));
    };
    socket.on('data', onData);
    void closed.then(() => reject(new Error(`connection closed before a status line (got ${JSON.stringify(text)})`)));
  });
  status.catch(() => undefined); // a test that does not look at the status must not see an unhandled rejection
  socket.once('connect', () =>
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    ),
  );
  return { socket, status, ended, closed };
}

/**
 * Keeps writing a byte at a time (one per loop turn) until the connection breaks. A server that
 * only ended its side keeps accepting bytes; one that closed its socket answers with a reset, and
 * the next write fails. So `closed` resolving after this proves the server closed the connection.
 */
export function writeUntilReset(socket: net.Socket): void {
  const next = (): void => {
    if (socket.destroyed) return;
    socket.write('.', (err) => {
      if (err === null || err === undefined) setImmediate(next);
    });
  };
  next();
}

/** TCP connections an HTTP server has accepted and still holds, upgraded or refused alike. */
export interface ConnectionCount {
  accepted: number;
  open: number;
}

/**
 * Counts the HTTP server's TCP connections (the links of serverSockets() are only the accepted
 * WebSockets). Install it before the connections are made.
 */
export function countConnections(server: Server): ConnectionCount {
  const count: ConnectionCount = { accepted: 0, open: 0 };
  server.on('connection', (socket: net.Socket) => {
    count.accepted++;
    count.open++;
    socket.once('close', () => count.open--);
  });
  return count;
}
