import { Controller, Get, Inject, Logger, Req, Res } from '@nestjs/common';
import { DUPLEX_RESOLVED_OPTIONS } from '../../duplex.constants.js';
import type { ResolvedDuplexOptions } from '../../duplex-options.js';
import { DuplexError } from '../../envelope/duplex.error.js';
import { MessageType, ProtocolType } from '../../envelope/envelope.js';
import { controlEnvelope } from '../../envelope/envelope.factory.js';
import { ErrorCode } from '../../envelope/error-codes.js';
import { CloseReason } from '../../sessions/close-reason.js';
import { SessionService } from '../../sessions/session.service.js';
import { type HeldRequest, HeldRequests } from './held-requests.js';
import { INTERNAL_ERROR, sendError } from './http-answer.js';
import { beginCall, intParam } from './http-call.js';
import { readProof, type SessionProof } from './http-credentials.js';
import { onClientGone, queryOf } from './http-exchange.js';
import { HTTP_ROUTE } from './http-routes.js';
import { PullPresence } from './pull-presence.js';
import { SseStream } from './sse-stream.js';

/** A comment at least this often on an idle stream, so proxies do not cut it. */
const KEEPALIVE_MS = 15_000;

/**
 * `GET {prefix}/sse?session_id=…&token=…&cursor=N`: the session's sequenced messages as Server-Sent
 * Events. The stream loops on the session layer's pull: `cursor` (the client's ack: `Last-Event-ID`
 * on a reconnect) trims, `after` (the last seq written here) reads on; it remembers nothing else.
 */
@Controller()
export class SseController {
  private readonly logger = new Logger(SseController.name);

  constructor(
    private readonly sessions: SessionService,
    private readonly presence: PullPresence,
    private readonly held: HeldRequests,
    @Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions,
  ) {}

  @Get(HTTP_ROUTE.sse)
  async stream(@Req() request: unknown, @Res() response: unknown): Promise<void> {
    const call = beginCall(request, response, this.options, this.options.protocols.has(ProtocolType.SSE));
    if (call === undefined) return;
    const { req, res, headers } = call;
    const query = queryOf(req);
    const proof = readProof(req, query);
    if (proof instanceof DuplexError) {
      sendError(res, proof, headers);
      return;
    }
    const lastEventId = req.headers['last-event-id'];
    const fromQuery = intParam(query, 'cursor', 0);
    const fromHeader = intParam(new URLSearchParams({ id: typeof lastEventId === 'string' ? lastEventId.trim() : '' }), 'id', 0);
    if (fromQuery === undefined || fromHeader === undefined) {
      sendError(res, new DuplexError(ErrorCode.BAD_REQUEST, '"cursor" and Last-Event-ID must be non-negative integers'), headers);
      return;
    }
    let leave: (() => void) | DuplexError;
    try {
      leave = await this.presence.enter(proof, ProtocolType.SSE);
    } catch {
      sendError(res, INTERNAL_ERROR, headers);
      return;
    }
    if (leave instanceof DuplexError) {
      sendError(res, leave, headers);
      return;
    }
    const held = this.held.hold(proof.sessionId);
    const stream = new SseStream(res);
    const stopWatching = onClientGone(res, () => held.end('client_gone'));
    try {
      stream.open(headers);
      // Both say "processed up to here": the later one counts (the URL keeps the cursor it was opened with).
      await this.pump(stream, proof, Math.max(fromQuery, fromHeader), held);
    } catch (err) {
      this.logger.error(`SSE stream of session ${proof.sessionId} failed: ${String(err)}`);
      stream.close({ reason: CloseReason.INTERNAL_ERROR, message: 'internal error' });
    } finally {
      stopWatching();
      held.release();
      leave();
    }
  }

  private async pump(stream: SseStream, proof: SessionProof, cursor: number, held: HeldRequest): Promise<void> {
    const { intervalMs } = this.options.heartbeat;
    const { sessionId } = proof;
    let after = cursor;
    let heartbeatDue = Date.now() + intervalMs;
    while (held.ended === undefined && !stream.closed) {
      const waitMs = Math.max(0, Math.min(KEEPALIVE_MS, heartbeatDue - Date.now()));
      const result = await this.sessions.pull({ ...proof, cursor, after, waitMs, signal: held.signal });
      if (held.ended !== undefined) break;
      if (!result.ok) {
        stream.close(closeOf(result.error));
        return;
      }
      const last = result.messages.at(-1);
      if (last !== undefined) {
        if (!(await stream.messages(sessionId, result.messages))) return;
        after = last.seq;
      }
      if (Date.now() >= heartbeatDue) {
        // The client answers by POST; a silent stream is the client's to notice (its heartbeat monitor).
        await stream.control(controlEnvelope(MessageType.HEARTBEAT, sessionId, {}));
        heartbeatDue = Date.now() + intervalMs;
      } else if (last === undefined) {
        await stream.comment('ping');
      }
    }
    if (held.ended === 'taken_over') stream.close({ reason: CloseReason.TAKEN_OVER, message: 'a newer poll or stream of the session took over' });
    else if (held.ended === 'shutdown') stream.close({ reason: CloseReason.SHUTDOWN, message: 'server shutting down' });
    else stream.end();
  }
}

/** The `close` event for a pull the session layer refused (the session ended, or its stored state was lost). */
function closeOf(error: DuplexError): Record<string, unknown> {
  const reason = error.code === ErrorCode.OUTBOX_OVERFLOW ? CloseReason.OUTBOX_OVERFLOW : error.code === ErrorCode.SESSION_EXPIRED ? CloseReason.SESSION_ENDED : CloseReason.INTERNAL_ERROR;
  return { reason, code: error.code, message: error.message };
}
