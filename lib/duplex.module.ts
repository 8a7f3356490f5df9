import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ActionExplorer } from './actions/action.explorer.js';
import { ActionMetadataAccessor } from './actions/action-metadata.accessor.js';
import { ActionRouter } from './actions/action.router.js';
import { MemoryOutboxStore } from './delivery/memory-outbox.store.js';
import { OutboundDelivery } from './delivery/outbound.delivery.js';
import { DUPLEX_OUTBOX_STORE, DUPLEX_RESOLVED_OPTIONS } from './duplex.constants.js';
import { DuplexConfigurableModule, DUPLEX_MODULE_OPTIONS } from './duplex.module-definition.js';
import type { DuplexModuleOptions, ResolvedDuplexOptions } from './duplex-options.js';
import { resolveDuplexOptions } from './duplex-options.resolver.js';
import { DuplexService } from './duplex.service.js';
import { InboundAckFlusher } from './sessions/inbound-ack.flusher.js';
import { InboundProcessor } from './sessions/inbound.processor.js';
import { SessionRegistry } from './sessions/session.registry.js';
import { SessionService } from './sessions/session.service.js';
import { ConnectionAuthenticator } from './transports/connection.authenticator.js';
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
      provide: DUPLEX_OUTBOX_STORE,
      useFactory: (options: ResolvedDuplexOptions) => options.outbox.store ?? new MemoryOutboxStore(options.outbox),
      inject: [DUPLEX_RESOLVED_OPTIONS],
    },
    ActionMetadataAccessor,
    ActionRouter,
    ActionExplorer,
    SessionRegistry,
    OutboundDelivery,
    InboundProcessor,
    InboundAckFlusher,
    SessionService,
    ConnectionAuthenticator,
    WsTransport,
    DuplexService,
  ],
  exports: [DuplexService],
})
export class DuplexModule extends DuplexConfigurableModule {}
