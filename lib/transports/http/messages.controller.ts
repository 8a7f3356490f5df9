import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { DUPLEX_RESOLVED_OPTIONS } from '../../duplex.constants.js';
import type { ResolvedDuplexOptions } from '../../duplex-options.js';
import { DuplexError } from '../../envelope/duplex.error.js';
import { type Envelope, MessageType, ProtocolType } from '../../envelope/envelope.js';
import { controlEnvelope } from '../../envelope/envelope.factory.js';
import { ErrorCode } from '../../envelope/error-codes.js';
import { encodeJson } from '../../envelope/json-codec.js';
import { SessionService } from '../../sessions/session.service.js';
import { INTERNAL_ERROR, sendError, sendJson } from './http-answer.js';
import { HttpBodyGate } from './http-body.gate.js';
import { readBody } from './http-body.js';
import { beginCall } from './http-call.js';
import { handshakeWithoutToken, readProof } from './http-credentials.js';
import { queryOf } from './http-exchange.js';
import { HTTP_ROUTE, servesHttp } from './http-routes.js';

/**
 * `POST {prefix}/messages`: one envelope or an array, for a session proven by its token, run
 * through the session layer's link-less door on whichever node takes the request. Answers the
 * unsequenced replies (acks, heartbeat echoes, frame errors, the goodbye's answer) once the
 * envelopes are accepted; answers to requests come on the poll or the stream, in seq order.
 */
@Controller()
export class MessagesController {
  constructor(
    private readonly sessions: SessionService,
    private readonly gate: HttpBodyGate,
    @Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions,
  ) {}

  @Post(HTTP_ROUTE.messages)
  async post(@Req() request: unknown, @Res() response: unknown): Promise<void> {
    const call = beginCall(request, response, this.options, servesHttp(this.options.protocols));
    if (call === undefined) return;
    const { req, res, headers } = call;
    try {
      const proof = readProof(req);
      const decoded = await readBody(this.gate, req, this.options.maxPayload);
      if (decoded === 'aborted') return;
      if (proof instanceof DuplexError) {
        sendError(res, proof, headers);
        return;
      }
      if (!decoded.ok) {
        sendError(res, decoded.error, headers, decoded.status);
        return;
      }
      const replies: Envelope[] = [];
      const envelopes: Envelope[] = [];
      for (const item of decoded.items) {
        if (item.ok) envelopes.push(item.envelope);
        else replies.push(controlEnvelope(MessageType.ERROR, proof.sessionId, item.error.toData(), item.replyTo === undefined ? {} : { reply_to: item.replyTo }));
      }
      const transport = queryOf(req).get('transport') === ProtocolType.SSE ? ProtocolType.SSE : ProtocolType.LONG_POLLING;
      const handshake = handshakeWithoutToken(req, transport);
      // Answered once every envelope is accepted, not once their handlers finish: one slow handler
      // must not hold up the client's next POST (its acks and heartbeats included). The door waits
      // for a free slot before each handler past maxInflight, so the answer comes later then.
      const result = await this.sessions.deliver({ ...proof, envelopes, handshake, resolveWhen: 'accepted' });
      if (!result.ok) {
        sendError(res, result.error, headers);
        return;
      }
      replies.push(...result.replies);
      sendJson(res, 200, `[${replies.map(encodeJson).join(',')}]`, headers);
    } catch {
      sendError(res, INTERNAL_ERROR, headers);
    }
  }
}
