import { Controller, Inject, Options, Req, Res } from '@nestjs/common';
import { DUPLEX_RESOLVED_OPTIONS } from '../../duplex.constants.js';
import type { ResolvedDuplexOptions } from '../../duplex-options.js';
import { preflightHeaders } from './http-cors.js';
import { takeExchange } from './http-exchange.js';
import { HTTP_ROUTE } from './http-routes.js';

/**
 * CORS preflights of the endpoints (`http.cors`). An app's own CORS (`app.enableCors()`) answers
 * them before routing on both platforms, so this answers only when the app has none.
 */
@Controller()
export class PreflightController {
  constructor(@Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions) {}

  @Options(Object.values(HTTP_ROUTE))
  preflight(@Req() request: unknown, @Res() response: unknown): void {
    const { req, res } = takeExchange(request, response);
    res.writeHead(204, { ...preflightHeaders(this.options.http.cors, req), 'content-length': '0' });
    res.end();
  }
}
