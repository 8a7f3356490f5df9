import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { OutboxEntry } from '../../brokers/broker.js';
import { DUPLEX_RESOLVED_OPTIONS } from '../../duplex.constants.js';
import type { ResolvedDuplexOptions } from '../../duplex-options.js';
import { MAX_POLL_WAIT_MS } from '../../duplex-options.http.js';
import { DuplexError } from '../../envelope/duplex.error.js';
import { ProtocolType } from '../../envelope/envelope.js';
import { ErrorCode } from '../../envelope/error-codes.js';
import { frameJson } from '../../envelope/json-codec.js';
import { SessionService } from '../../sessions/session.service.js';
import { HeldRequests } from './held-requests.js';
import { INTERNAL_ERROR, sendError, sendJson } from './http-answer.js';
import { beginCall, intParam } from './http-call.js';
import { readProof } from './http-credentials.js';
import { onClientGone, queryOf } from './http-exchange.js';
import { HTTP_ROUTE } from './http-routes.js';
import { PullPresence } from './pull-presence.js';

/**
 * `GET {prefix}/poll?cursor=N&wait_ms=T`: the sequenced messages after the client's cumulative ack
 * N, held up to T when there are none. One poll per session is held on a node: a newer one takes
 * over and the older is answered `[]` at once.
 */
@Controller()
export class PollController {
  constructor(
    private readonly sessions: SessionService,
    private readonly presence: PullPresence,
    private readonly held: HeldRequests,
    @Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions,
  ) {}

  @Get(HTTP_ROUTE.poll)
  async poll(@Req() request: unknown, @Res() response: unknown): Promise<void> {
    const call = beginCall(request, response, this.options, this.options.protocols.has(ProtocolType.LONG_POLLING));
    if (call === undefined) return;
    const { req, res, headers } = call;
    const proof = readProof(req);
    if (proof instanceof DuplexError) {
      sendError(res, proof, headers);
      return;
    }
    const query = queryOf(req);
    const cursor = intParam(query, 'cursor', 0);
    const waitMs = intParam(query, 'wait_ms', this.options.http.pollTimeoutMs);
    if (cursor === undefined || waitMs === undefined) {
      sendError(res, new DuplexError(ErrorCode.BAD_REQUEST, '"cursor" and "wait_ms" must be non-negative integers'), headers);
      return;
    }
    try {
      const leave = await this.presence.enter(proof, ProtocolType.LONG_POLLING);
      if (leave instanceof DuplexError) {
        sendError(res, leave, headers);
        return;
      }
      const held = this.held.hold(proof.sessionId);
      const stopWatching = onClientGone(res, () => held.end('client_gone'));
      try {
        const wait = held.ended === undefined ? Math.min(waitMs, MAX_POLL_WAIT_MS) : 0;
        const result = await this.sessions.pull({ ...proof, cursor, waitMs: wait, signal: held.signal });
        if (held.ended === 'taken_over') sendJson(res, 200, '[]', headers);
        else if (result.ok) sendJson(res, 200, frames(proof.sessionId, result.messages), headers);
        else sendError(res, result.error, headers);
      } finally {
        stopWatching();
        held.release();
        leave();
      }
    } catch {
      sendError(res, INTERNAL_ERROR, headers);
    }
  }
}

function frames(sessionId: string, entries: readonly OutboxEntry[]): string {
  return `[${entries.map(({ seq, message }) => frameJson(message, sessionId, seq)).join(',')}]`;
}
