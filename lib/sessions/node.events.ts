import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { DuplexBroker, NodeEvent } from '../brokers/broker.js';
import { OutboundDelivery } from '../delivery/outbound.delivery.js';
import { PullWaiters } from '../delivery/pull.waiters.js';
import { DUPLEX_BROKER, DUPLEX_NODE_ID, DUPLEX_RESOLVED_OPTIONS } from '../duplex.constants.js';
import type { ResolvedDuplexOptions } from '../duplex-options.js';
import { InboundProcessor } from './inbound.processor.js';
import { SessionRegistry } from './session.registry.js';

/** How long shutdown waits for the handlers of messages already received. */
const SHUTDOWN_DRAIN_MS = 5000;

/**
 * This node's seat on the broker's bus: joins at start-up, acts on what other nodes (and the
 * broker's expiry) announce, and leaves at shutdown. A broker the module made itself is closed then.
 */
@Injectable()
export class NodeEvents implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(NodeEvents.name);

  constructor(
    @Inject(DUPLEX_BROKER) private readonly broker: DuplexBroker,
    @Inject(DUPLEX_NODE_ID) private readonly node: string,
    private readonly registry: SessionRegistry,
    private readonly delivery: OutboundDelivery,
    private readonly waiters: PullWaiters,
    private readonly inbound: InboundProcessor,
    @Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.broker.bus.join(this.node, (event) => this.handle(event));
  }

  async onApplicationShutdown(): Promise<void> {
    // The transports closed their links in beforeApplicationShutdown: what clients sent before that finishes first.
    await this.inbound.drain(SHUTDOWN_DRAIN_MS);
    this.registry.shutdown();
    this.waiters.wakeAll();
    await this.broker.bus.leave(this.node);
    if (this.options.broker === undefined) await this.broker.close?.();
  }

  private handle(event: NodeEvent): void {
    try {
      switch (event.kind) {
        case 'wake':
          this.delivery.wake(event.sessionId);
          return;
        case 'takeover':
          this.registry.onTakenOver(event.sessionId, event.link);
          return;
        case 'ended':
          this.registry.onEnded(event.sessionId, event.reason);
          this.waiters.wake(event.sessionId);
          return;
        case 'answer':
          this.registry.pending.settle(event.sessionId, event.envelope);
          return;
      }
    } catch (err) {
      this.logger.error(`Handling a node event (${event.kind}) failed: ${String(err)}`);
    }
  }
}
