import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { ActionExplorer } from './actions/action.explorer.js';
import { ActionMetadataAccessor } from './actions/action-metadata.accessor.js';
import { ActionRouter } from './actions/action.router.js';
import { MemoryBroker } from './brokers/memory/memory.broker.js';
import { OutboundDelivery } from './delivery/outbound.delivery.js';
import { PullWaiters } from './delivery/pull.waiters.js';
import { DUPLEX_BROKER, DUPLEX_NODE_ID, DUPLEX_RESOLVED_OPTIONS } from './duplex.constants.js';
import { DuplexConfigurableModule, DUPLEX_MODULE_OPTIONS } from './duplex.module-definition.js';
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
      useFactory: (options: ResolvedDuplexOptions) => options.broker ?? new MemoryBroker(),
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
    DuplexService,
  ],
  exports: [DuplexService],
})
export class DuplexModule extends DuplexConfigurableModule {}
