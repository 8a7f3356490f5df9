/**
 * The WebSocket transport (docs/protocol.md §2) over any WebSocketLike: the browser's, Node's
 * global one, or the `ws` package's. One envelope per text frame.
 */
import { DuplexError } from '../../envelope/duplex.error.js';
import { ProtocolType } from '../../envelope/envelope.js';
import { ErrorCode } from '../../envelope/error-codes.js';
import type { ClientLink, ClientLinkListener, ClientTransport } from './client-transport.js';
import { TransportFailure } from './transport-failure.js';
import type { WebSocketConstructor, WebSocketEventLike, WebSocketLike } from './websocket-like.js';

/** `ws` reports the HTTP answer to a refused upgrade with this event; browsers cannot see it. */
interface UnexpectedResponseSource {
  on(event: 'unexpected-response', listener: (request: unknown, response: { statusCode?: number }) => void): unknown;
}

function hasUnexpectedResponse(socket: WebSocketLike): socket is WebSocketLike & UnexpectedResponseSource {
  return typeof (socket as Partial<UnexpectedResponseSource>).on === 'function';
}

/**
 * What the HTTP answer to our upgrade says. 401/403: our server said no. 502/503/504: a proxy or
 * our server in shutdown says the server is not there now. Anything else (400, 404, 426, …):
 * whatever answered does not serve this transport here.
 */
function httpFailure(status: number | undefined): { error: DuplexError; failure: TransportFailure } {
  if (status === 401 || status === 403) {
    const code = status === 401 ? ErrorCode.UNAUTHENTICATED : ErrorCode.FORBIDDEN;
    return { error: new DuplexError(code, `The server refused the connection (HTTP ${status})`, undefined, status), failure: TransportFailure.REFUSED };
  }
  const failure = status === 502 || status === 503 || status === 504 ? TransportFailure.UNREACHABLE : TransportFailure.BLOCKED;
  const error = new DuplexError(ErrorCode.NOT_CONNECTED, `The WebSocket upgrade was answered with HTTP ${status ?? '?'}`, undefined, status);
  return { error, failure };
}

export class WebSocketClientTransport implements ClientTransport {
  readonly name = ProtocolType.WEBSOCKET;

  constructor(
    private readonly WebSocketCtor: WebSocketConstructor,
    readonly endpoint: string,
  ) {}

  open(listener: ClientLinkListener): ClientLink {
    let socket: WebSocketLike;
    try {
      socket = new this.WebSocketCtor(this.endpoint);
    } catch (error) {
      // A constructor throws synchronously on a bad URL; report it like any failed link, but
      // asynchronously, so the caller has its link in hand first.
      queueMicrotask(() => {
        listener.error(new DuplexError(ErrorCode.NOT_CONNECTED, `Cannot open ${this.endpoint}: ${String(error)}`), TransportFailure.UNREACHABLE);
        listener.close({ code: 1006, reason: 'could not open' });
      });
      return { send() {}, close() {}, terminate() {} };
    }
    return this.attach(socket, listener);
  }

  private attach(socket: WebSocketLike, listener: ClientLinkListener): ClientLink {
    let closed = false;
    // One error per link: after an HTTP refusal, ws also reports "closed before established".
    let reportedError = false;
    const report = (error: DuplexError, failure?: TransportFailure): void => {
      if (closed || reportedError) return;
      reportedError = true;
      listener.error(error, failure);
    };

    // Browsers would hand binary frames over as Blobs, which need async reading; we reject them anyway.
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('open', () => {
      if (!closed) listener.open();
    });
    socket.addEventListener('message', (event: WebSocketEventLike) => {
      if (closed) return;
      if (typeof event.data === 'string') {
        listener.message(event.data);
      } else {
        listener.error(new DuplexError(ErrorCode.BAD_FRAME, 'The server sent a binary frame; envelopes travel as text'));
      }
    });
    socket.addEventListener('error', (event: WebSocketEventLike) => {
      report(new DuplexError(ErrorCode.NOT_CONNECTED, event.message ? `WebSocket error: ${event.message}` : 'WebSocket error'));
    });
    socket.addEventListener('close', (event: WebSocketEventLike) => {
      if (closed) return;
      closed = true;
      listener.close({ code: event.code ?? 1006, reason: event.reason ?? '' });
    });
    if (hasUnexpectedResponse(socket)) {
      socket.on('unexpected-response', (_request, response) => {
        const { error, failure } = httpFailure(response.statusCode);
        report(error, failure);
        // Handling the event makes ws leave the request to us; terminate() aborts it and closes.
        socket.terminate?.();
      });
    }

    return {
      send(text: string): void {
        // A frame sent into a closing socket is lost, which the outbox and resume make good.
        if (!closed && socket.readyState === 1) socket.send(text);
      },
      close(code: number, reason: string): void {
        try {
          socket.close(code, reason);
        } catch {
          socket.terminate?.();
        }
      },
      terminate(): void {
        if (typeof socket.terminate === 'function') {
          socket.terminate();
          return;
        }
        // Browsers have no terminate(); a close still lets us move on at once (the client stops
        // listening to this link), and 4001 tells a server that does hear it why.
        try {
          socket.close(4001, 'heartbeat timeout');
        } catch {
          // Already closing: nothing more to do.
        }
      },
    };
  }
}
