import { type DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { ActionExplorer } from './actions/action.explorer.js';
import { ActionMetadataAccessor } from './actions/action-metadata.accessor.js';
import { ActionRouter } from './actions/action.router.js';
import { MemoryBroker } from './brokers/memory/memory.broker.js';
import { RedisBroker } from './brokers/redis/redis.broker.js';
import { OutboundDelivery } from './delivery/outbound.delivery.js';
import { PullWaiters } from './delivery/pull.waiters.js';
import { DUPLEX_BROKER, DUPLEX_NODE_ID, DUPLEX_RESOLVED_OPTIONS } from './duplex.constants.js';
import { DUPLEX_ASYNC_OPTIONS_TYPE, DuplexConfigurableModule, DUPLEX_MODULE_OPTIONS, DUPLEX_OPTIONS_TYPE } from './duplex.module-definition.js';
import type { DuplexModuleOptions, ResolvedDuplexOptions } from './duplex-options.js';
import { resolveDuplexOptions } from './duplex-options.resolver.js';
import { DuplexService } from './duplex.service.js';
import { InboundAckFlusher } from './sessions/inbound-ack.flusher.js';
import { InboundDoor } from './sessions/inbound.door.js';
import { InboundProcessor } from './sessions/inbound.processor.js';
import { InflightLimiter } from './sessions/inflight.limiter.js';
import { LocalSessions } from './sessions/local-sessions.js';
import { NodeEvents } from './sessions/node.events.js';
import { OpenDoor } from './sessions/open.door.js';
import { PullDoor } from './sessions/pull.door.js';
import { SessionRegistry } from './sessions/session.registry.js';
import { SessionService } from './sessions/session.service.js';
import { ConnectionAuthenticator } from './transports/connection.authenticator.js';
import { GrpcTransport } from './transports/grpc/grpc.transport.js';
import { HeldRequests } from './transports/http/held-requests.js';
import { HttpBodyGate } from './transports/http/http-body.gate.js';
import { type HttpControllers, httpControllers } from './transports/http/http-controllers.js';
import { PullPresence } from './transports/http/pull-presence.js';
import { WsTransport } from './transports/ws/ws.transport.js';

/**
 * `DuplexModule.forRoot(options)` / `forRootAsync({ imports, inject, useFactory })`: global, so
 * `DuplexService` can be injected anywhere. Options are validated when the module is created.
 * @publicApi
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: DUPLEX_RESOLVED_OPTIONS,
      useFactory: (options: DuplexModuleOptions) => resolveDuplexOptions(options),
      inject: [DUPLEX_MODULE_OPTIONS],
    },
    {
      provide: DUPLEX_BROKER,
      // A broker the app passed is the app's; one made here is closed at shutdown (NodeEvents).
      useFactory: (options: ResolvedDuplexOptions) =>
        options.broker ?? (options.redis === undefined ? new MemoryBroker() : new RedisBroker(options.redis)),
      inject: [DUPLEX_RESOLVED_OPTIONS],
    },
    { provide: DUPLEX_NODE_ID, useFactory: () => randomBytes(9).toString('base64url') },
    ActionMetadataAccessor,
    ActionRouter,
    ActionExplorer,
    LocalSessions,
    SessionRegistry,
    PullWaiters,
    OutboundDelivery,
    InflightLimiter,
    InboundProcessor,
    InboundAckFlusher,
    InboundDoor,
    PullDoor,
    OpenDoor,
    NodeEvents,
    SessionService,
    ConnectionAuthenticator,
    WsTransport,
    GrpcTransport,
    HttpBodyGate,
    HeldRequests,
    PullPresence,
    DuplexService,
  ],
  exports: [DuplexService],
})
export class DuplexModule extends DuplexConfigurableModule {
  /** The HTTP controllers are registered only when `protocols` serves long-polling or SSE. */
  static forRoot(options: typeof DUPLEX_OPTIONS_TYPE = {}): DynamicModule {
    return withHttp(super.forRoot(options), httpControllers(options.protocols));
  }

  /**
   * Nest reads a module's controllers before any factory runs, so here they are always registered;
   * each answers 404 when its transport is not in the `protocols` the factory returns.
   */
  static forRootAsync(options: typeof DUPLEX_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withHttp(super.forRootAsync(options), httpControllers('unknown'));
  }
}

function withHttp(module: DynamicModule, http: HttpControllers): DynamicModule {
  return { ...module, controllers: [...(module.controllers ?? []), ...http.controllers], providers: [...(module.providers ?? []), ...http.providers] };
}
