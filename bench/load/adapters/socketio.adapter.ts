/**
 * Socket.IO client 4.8, one Manager per connection (`forceNew`), no reconnection. Echo is an emit
 * with an ack callback. Polling uses engine.io's `Fetch` transport: it keeps HTTP connections
 * alive as a browser does (the default Node XHR transport opens a TCP connection per request).
 */
import { Fetch, io, type Socket } from 'socket.io-client';
import { ECHO_DATA } from '../../lib/payload.js';
import type { ClientAdapter, LoadConnection, LoadSink } from '../adapter.js';

/** The cause socket.io-client passes with a 'transport error' (an Error, or {description, context}). */
function describe(details: unknown): string {
  if (details === undefined || details === null) return '';
  const d = details as { message?: unknown; description?: unknown; context?: unknown };
  const inner = d.description as { message?: unknown; cause?: { code?: unknown; message?: unknown } } | undefined;
  const text = [d.message, inner?.message ?? d.description, inner?.cause?.code ?? inner?.cause?.message]
    .filter((part) => part !== undefined && part !== null)
    .map(String)
    .join(' / ');
  return text ? ` (${text.slice(0, 160)})` : '';
}

export function socketIoAdapter(transport: 'websocket' | 'polling'): ClientAdapter {
  const transportOptions =
    transport === 'websocket' ? { transports: ['websocket'] } : { transportImplementations: [Fetch], upgrade: false };
  return {
    connect(port: number, sink: LoadSink): Promise<LoadConnection> {
      return new Promise((resolve, reject) => {
        let closing = false;
        const socket: Socket = io(`http://127.0.0.1:${port}`, {
          ...transportOptions,
          forceNew: true,
          reconnection: false,
          timeout: 30_000,
        } as Parameters<typeof io>[1]);
        socket.on('tick', () => sink.onBroadcast());
        socket.once('connect_error', (err) => reject(err));
        socket.on('disconnect', (reason, details) => {
          if (!closing) sink.onUnexpectedClose(`socket.io disconnect: ${reason}${describe(details)}`);
        });
        socket.once('connect', () =>
          resolve({
            echo(done) {
              socket.emit('echo', ECHO_DATA, () => done());
            },
            close() {
              closing = true;
              return new Promise((done) => {
                if (!socket.connected) return done();
                socket.once('disconnect', () => done());
                socket.disconnect();
              });
            },
            destroy() {
              closing = true;
              socket.disconnect();
            },
          }),
        );
      });
    },
  };
}
