import { Inject, Injectable } from '@nestjs/common';
import { OutboundDelivery } from '../delivery/outbound.delivery.js';
import { DUPLEX_RESOLVED_OPTIONS } from '../duplex.constants.js';
import type { ResolvedDuplexOptions } from '../duplex-options.js';
import { InboundDoor, type InboundBatch, type InboundBatchResult } from './inbound.door.js';
import { InboundProcessor } from './inbound.processor.js';
import { InflightLimiter } from './inflight.limiter.js';
import type { Link, LinkListener } from './link.js';
import { LinkSession } from './link.session.js';
import { OpenDoor, type OpenRequest, type OpenResult } from './open.door.js';
import { PullDoor, type PullRequest, type PullResult } from './pull.door.js';
import { SessionRegistry } from './session.registry.js';

/**
 * The doors every transport uses. Push transports (WebSocket, gRPC) open a link; pull transports
 * (long-poll, SSE) pull batches after the client's ack and deliver what the client sends through
 * the link-less door, on any node. Nothing above this knows which transport a session uses.
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly registry: SessionRegistry,
    private readonly delivery: OutboundDelivery,
    private readonly inbound: InboundProcessor,
    private readonly inflight: InflightLimiter,
    private readonly pullDoor: PullDoor,
    private readonly inboundDoor: InboundDoor,
    private readonly openDoor: OpenDoor,
    @Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions,
  ) {}

  /** A push link opened: returns the listener the transport reports its frames and its end to. */
  openLink(link: Link): LinkListener {
    const { options, registry, delivery, inbound, inflight } = this;
    return new LinkSession(link, { options, registry, delivery, inbound, inflight });
  }

  /** A `$hello` without a link (HTTP): opens or resumes a session; resolves with the welcome. */
  open(request: OpenRequest): Promise<OpenResult> {
    return this.openDoor.open(request);
  }

  /** What follows the client's ack, waiting up to `waitMs` for the first message. */
  pull(request: PullRequest): Promise<PullResult> {
    return this.pullDoor.pull(request);
  }

  /** Envelopes for a session that has no link here; resolves with the replies they produced. */
  deliver(batch: InboundBatch): Promise<InboundBatchResult> {
    return this.inboundDoor.deliver(batch);
  }
}
