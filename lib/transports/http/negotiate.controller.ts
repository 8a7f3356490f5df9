import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { DUPLEX_RESOLVED_OPTIONS } from '../../duplex.constants.js';
import type { ResolvedDuplexOptions } from '../../duplex-options.js';
import { ProtocolType } from '../../envelope/envelope.js';
import { PROTOCOL_VERSION } from '../../sessions/welcome.js';
import { GrpcTransport } from '../grpc/grpc.transport.js';
import { sendJson } from './http-answer.js';
import { beginCall } from './http-call.js';
import { pathOf } from './http-exchange.js';
import { HTTP_ROUTE, servesHttp } from './http-routes.js';

/** `GET {prefix}/negotiate`: which transports this server offers, and where. No authentication. */
@Controller()
export class NegotiateController {
  constructor(
    @Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions,
    private readonly grpc: GrpcTransport,
  ) {}

  @Get(HTTP_ROUTE.negotiate)
  negotiate(@Req() request: unknown, @Res() response: unknown): void {
    const { protocols, websocket, grpc, maxPayload } = this.options;
    const call = beginCall(request, response, this.options, servesHttp(protocols));
    if (call === undefined) return;
    // Where the endpoints answer as the client reached them (an app's global prefix included).
    const base = pathOf(call.req).replace(/\/[^/]*\/?$/, '');
    const http = { session: `${base}/${HTTP_ROUTE.session}`, messages: `${base}/${HTTP_ROUTE.messages}` };
    const transports: Array<Record<string, unknown>> = [];
    if (protocols.has(ProtocolType.WEBSOCKET)) transports.push({ transport: ProtocolType.WEBSOCKET, path: websocket.path });
    if (protocols.has(ProtocolType.SSE)) transports.push({ transport: ProtocolType.SSE, path: `${base}/${HTTP_ROUTE.sse}`, ...http });
    if (protocols.has(ProtocolType.LONG_POLLING)) transports.push({ transport: ProtocolType.LONG_POLLING, path: `${base}/${HTTP_ROUTE.poll}`, ...http });
    if (protocols.has(ProtocolType.GRPC)) transports.push({ transport: ProtocolType.GRPC, port: this.grpc.port ?? Number(/:(\d+)$/.exec(grpc.url)?.[1]) });
    sendJson(call.res, 200, JSON.stringify({ protocol_version: PROTOCOL_VERSION, max_payload: maxPayload, transports }), call.headers);
  }
}
