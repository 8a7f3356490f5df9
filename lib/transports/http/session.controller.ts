import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { DUPLEX_RESOLVED_OPTIONS } from '../../duplex.constants.js';
import type { ResolvedDuplexOptions } from '../../duplex-options.js';
import { DuplexError } from '../../envelope/duplex.error.js';
import { type Envelope, HELLO_ACTION, MessageType, ProtocolType } from '../../envelope/envelope.js';
import { ErrorCode } from '../../envelope/error-codes.js';
import { encodeJson } from '../../envelope/json-codec.js';
import { SessionService } from '../../sessions/session.service.js';
import { ConnectionAuthenticator } from '../connection.authenticator.js';
import { handshakeFromRequest } from '../http-handshake.js';
import { INTERNAL_ERROR, sendError, sendJson } from './http-answer.js';
import { HttpBodyGate } from './http-body.gate.js';
import { readBody } from './http-body.js';
import { beginCall, within } from './http-call.js';
import { queryOf } from './http-exchange.js';
import { HTTP_ROUTE, servesHttp } from './http-routes.js';

/**
 * `POST {prefix}/session`: the `$hello` over HTTP. Runs `authenticate` on the request (headers and
 * query), then the session layer's open door (a fresh session, or a resume); answers the welcome.
 */
@Controller()
export class SessionController {
  constructor(
    private readonly sessions: SessionService,
    private readonly authenticator: ConnectionAuthenticator,
    private readonly gate: HttpBodyGate,
    @Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions,
  ) {}

  @Post(HTTP_ROUTE.session)
  async open(@Req() request: unknown, @Res() response: unknown): Promise<void> {
    const call = beginCall(request, response, this.options, servesHttp(this.options.protocols));
    if (call === undefined) return;
    const { req, res, headers } = call;
    try {
      const transport = queryOf(req).get('transport') ?? ProtocolType.LONG_POLLING;
      if ((transport !== ProtocolType.SSE && transport !== ProtocolType.LONG_POLLING) || !this.options.protocols.has(transport)) {
        sendError(res, new DuplexError(ErrorCode.BAD_REQUEST, `"transport" must be a transport this server serves over HTTP (sse or long-polling)`), headers);
        return;
      }
      const body = await this.readHello(req);
      if (body === 'aborted') return;
      if ('error' in body) {
        sendError(res, body.error, headers, body.status);
        return;
      }
      const { hello } = body;
      const handshake = handshakeFromRequest(req, transport);
      const auth = await within(this.authenticator.authenticate(handshake), this.options.authTimeoutMs);
      if (auth === 'timed-out') {
        // Not judged, so not a 401: a client may retry later with the same credentials.
        sendError(res, new DuplexError(ErrorCode.TIMEOUT, 'Authentication did not finish in time; try again later'), headers);
        return;
      }
      if (!auth.ok) {
        sendError(res, new DuplexError(ErrorCode.UNAUTHENTICATED, 'The connection was refused by authenticate'), headers);
        return;
      }
      const opened = await this.sessions.open({ hello, handshake, principal: auth.principal });
      if (opened.ok) sendJson(res, 200, encodeJson(opened.welcome), headers);
      else sendError(res, opened.error, headers);
    } catch {
      sendError(res, INTERNAL_ERROR, headers);
    }
  }

  /** The body: nothing (a fresh session) or one `$hello` request envelope. */
  private async readHello(req: IncomingMessage): Promise<{ hello: Envelope | undefined } | { error: DuplexError; status: number } | 'aborted'> {
    const decoded = await readBody(this.gate, req, this.options.maxPayload, true);
    if (decoded === 'aborted' || !decoded.ok) return decoded === 'aborted' ? decoded : { error: decoded.error, status: decoded.status };
    if (decoded.items.length === 0) return { hello: undefined };
    const [item] = decoded.items;
    const refuse = (message: string) => ({ error: new DuplexError(ErrorCode.BAD_REQUEST, message), status: 400 });
    if (decoded.items.length > 1) return refuse('The body must be one $hello envelope');
    if (!item.ok) return { error: item.error, status: 400 };
    if (item.envelope.type !== MessageType.REQUEST || item.envelope.action !== HELLO_ACTION) {
      return refuse('The body must be a $hello request (or empty, for a fresh session)');
    }
    return { hello: item.envelope };
  }
}
