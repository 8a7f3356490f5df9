/**
 * Long-polling (docs/protocol.md §2c): the hello and what the client sends go up by POST (http-link.ts);
 * what the server sends comes down as answers to `GET {prefix}/poll?cursor=<ack>`, one poll held at
 * a time. The cursor is the client's cumulative ack, so each poll also acknowledges the last batch.
 * The first poll asks not to wait: its answer proves the way down before the welcome is handed over.
 */
import { DuplexError } from '../../envelope/duplex.error.js';
import { ProtocolType } from '../../envelope/envelope.js';
import { ErrorCode } from '../../envelope/error-codes.js';
import { CloseCode } from '../close-codes.js';
import { HttpClientTransport } from './http.client-transport.js';
import { linkEnd, networkError } from './http-answers.js';
import type { HttpEndpoints } from './http-endpoints.js';
import type { FetchLike } from './http-like.js';
import type { DownstreamSink, HttpSession } from './http-link.js';
import { TransportFailure } from './transport-failure.js';

export class LongPollingClientTransport extends HttpClientTransport {
  readonly name = ProtocolType.LONG_POLLING;
  protected readonly pollsAck = true;

  constructor(
    fetch: FetchLike,
    endpoints: HttpEndpoints,
    /** How long the server may hold a poll; undefined: the server's default. */
    private readonly waitMs: number | undefined,
  ) {
    super(fetch, endpoints);
  }

  protected downstream(session: HttpSession, cursor: number, sink: DownstreamSink, signal: AbortSignal): void {
    void this.poll(session, cursor, sink, signal);
  }

  private async poll(session: HttpSession, cursor: number, sink: DownstreamSink, signal: AbortSignal): Promise<void> {
    let ready = false;
    let next = cursor;
    let waitMs: number | undefined = 0;
    const what = 'GET /poll';
    while (!signal.aborted) {
      let status: number;
      let body: string;
      try {
        const response = await this.fetch(this.endpoints.poll(next, waitMs), { method: 'GET', headers: session.headers, signal, cache: 'no-store' });
        status = response.status;
        body = await response.text();
      } catch (error) {
        if (!signal.aborted) sink.end(networkError(error, what), { code: CloseCode.ABNORMAL, reason: `${what} failed` }, TransportFailure.UNREACHABLE);
        return;
      }
      if (signal.aborted) return;
      if (status !== 200) {
        // Before the first answer: the way down is blocked. After: the status says what to do.
        const { error, close } = linkEnd(status, body, what);
        sink.end(error, close, TransportFailure.BLOCKED);
        return;
      }
      const batch = parseBatch(body);
      if (batch === undefined) {
        const error = new DuplexError(ErrorCode.BAD_FRAME, `${what} was not answered with a JSON array`);
        sink.end(error, { code: CloseCode.POLICY, reason: error.message }, TransportFailure.BLOCKED);
        return;
      }
      if (!ready) {
        ready = true;
        sink.ready();
      }
      for (const envelope of batch) {
        if (signal.aborted) return;
        sink.message(JSON.stringify(envelope));
      }
      // The client processed the batch as it came (or ended the link): its position acks it.
      next = sink.position();
      waitMs = this.waitMs;
    }
  }
}

function parseBatch(body: string): unknown[] | undefined {
  try {
    const batch: unknown = JSON.parse(body);
    return Array.isArray(batch) ? batch : undefined;
  } catch {
    return undefined;
  }
}
