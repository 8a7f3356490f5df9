/**
 * The HTTP controllers of one `DuplexModule` import, mounted under its `http.prefix`. A controller's
 * path is class metadata that Nest reads when it registers routes, at `app.init()`, after every
 * provider was made; so each import gets fresh subclasses, and a provider that runs with the
 * resolved options (from `forRoot` or a `forRootAsync` factory alike) applies `@Controller(prefix)`
 * to them. Two apps in one process, with different prefixes, never share a class.
 */
import { Controller, type Provider, type Type } from '@nestjs/common';
import { DUPLEX_RESOLVED_OPTIONS } from '../../duplex.constants.js';
import type { DuplexModuleOptions, ResolvedDuplexOptions } from '../../duplex-options.js';
import { ProtocolType } from '../../envelope/envelope.js';
import { MessagesController } from './messages.controller.js';
import { NegotiateController } from './negotiate.controller.js';
import { PollController } from './poll.controller.js';
import { PreflightController } from './preflight.controller.js';
import { servesHttp } from './http-routes.js';
import { SessionController } from './session.controller.js';
import { SseController } from './sse.controller.js';

const HTTP_CONTROLLERS_MOUNTED = Symbol('HTTP_CONTROLLERS_MOUNTED');

export interface HttpControllers {
  controllers: Type[];
  providers: Provider[];
}

/**
 * The controllers `protocols` needs (all of them when unknown: `forRootAsync`, where each answers
 * 404 if its transport turns out not to be served), as fresh subclasses, and their mounting provider.
 */
export function httpControllers(protocols: DuplexModuleOptions['protocols'] | 'unknown'): HttpControllers {
  const wanted = protocols === 'unknown' ? new Set<string>([ProtocolType.SSE, ProtocolType.LONG_POLLING]) : new Set<string>(protocols ?? []);
  if (!servesHttp(wanted)) return { controllers: [], providers: [] };
  const bases: Type[] = [NegotiateController, SessionController, MessagesController, PreflightController];
  if (wanted.has(ProtocolType.LONG_POLLING)) bases.push(PollController);
  if (wanted.has(ProtocolType.SSE)) bases.push(SseController);
  // A class expression per base: its own metadata, the base's methods, routes and constructor.
  const controllers = bases.map((base) => ({ [base.name]: class extends base {} })[base.name]);
  const mount: Provider = {
    provide: HTTP_CONTROLLERS_MOUNTED,
    useFactory: (options: ResolvedDuplexOptions) => {
      for (const controller of controllers) Controller(options.http.prefix)(controller);
      return true;
    },
    inject: [DUPLEX_RESOLVED_OPTIONS],
  };
  return { controllers, providers: [mount] };
}
