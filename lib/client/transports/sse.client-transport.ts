/**
 * Server-Sent Events (docs/protocol.md §2c): the hello and what the client sends go up by POST
 * (http-link.ts); what the server sends comes down one envelope per event on
 * `GET {prefix}/sse?session_id=…&token=…&cursor=<ack>`, over the page's EventSource or, where
 * there is none, over fetch (fetch-event-source.ts). The stream cannot carry the client's acks:
 * those go up as `ack` envelopes. A stream that fails ends the link; the client resumes with its
 * own cursor rather than letting an EventSource reconnect behind its back.
 */
import { DuplexError } from '../../envelope/duplex.error.js';
import { ProtocolType } from '../../envelope/envelope.js';
import { ErrorCode } from '../../envelope/error-codes.js';
import { CloseCode } from '../close-codes.js';
import { FetchEventSource, type FetchEventSourceError } from './fetch-event-source.js';
import { closeOfReason } from './http-answers.js';
import type { HttpEndpoints } from './http-endpoints.js';
import type { EventSourceConstructor, EventSourceEventLike, EventSourceLike, FetchLike } from './http-like.js';
import { HttpClientTransport } from './http.client-transport.js';
import type { DownstreamSink, HttpSession } from './http-link.js';
import { TransportFailure } from './transport-failure.js';

/** The `reason` of the server's `close` event (`{"reason":"taken_over",…}`). */
function closeReason(event: EventSourceEventLike): string {
  try {
    const reason = (JSON.parse(String(event.data)) as { reason?: unknown } | null)?.reason;
    return typeof reason === 'string' ? reason : 'closed';
  } catch {
    return 'closed';
  }
}

export class SseClientTransport extends HttpClientTransport {
  readonly name = ProtocolType.SSE;
  protected readonly pollsAck = false;

  constructor(
    fetch: FetchLike,
    endpoints: HttpEndpoints,
    /** Undefined: read the stream with fetch. */
    private readonly EventSourceCtor: EventSourceConstructor | undefined,
  ) {
    super(fetch, endpoints);
  }

  protected downstream(session: HttpSession, cursor: number, sink: DownstreamSink, signal: AbortSignal): void {
    const url = this.endpoints.sse(session.id, session.token, cursor);
    const source: EventSourceLike =
      this.EventSourceCtor === undefined ? new FetchEventSource(url, this.fetch, session.headers) : new this.EventSourceCtor(url);
    let opened = false;
    let done = false;
    const end = (error: DuplexError, close: { code: number; reason: string }, failure?: TransportFailure): void => {
      if (done) return;
      done = true;
      source.close();
      sink.end(error, close, failure);
    };
    signal.addEventListener('abort', () => {
      done = true;
      source.close();
    });
    source.addEventListener('open', () => {
      if (done || opened) return;
      opened = true;
      sink.ready();
    });
    source.addEventListener('message', (event) => {
      if (!done && typeof event.data === 'string') sink.message(event.data);
    });
    source.addEventListener('close', (event) => {
      const reason = closeReason(event);
      end(new DuplexError(ErrorCode.NOT_CONNECTED, `The server closed the event stream (${reason})`), closeOfReason(reason));
    });
    source.addEventListener('error', (event) => {
      // A browser's EventSource tells nothing more; ours tells the HTTP status when there was one.
      const { message, status } = event as Partial<FetchEventSourceError>;
      const error = new DuplexError(ErrorCode.NOT_CONNECTED, message ?? 'The event stream failed', undefined, status);
      // The session's POST went through: a stream that never opened is blocked on the way.
      end(error, { code: CloseCode.ABNORMAL, reason: error.message }, opened ? undefined : TransportFailure.BLOCKED);
    });
  }
}
