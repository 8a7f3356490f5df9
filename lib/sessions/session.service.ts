import { Inject, Injectable } from '@nestjs/common';
import { OutboundDelivery } from '../delivery/outbound.delivery.js';
import { DUPLEX_RESOLVED_OPTIONS } from '../duplex.constants.js';
import type { ResolvedDuplexOptions } from '../duplex-options.js';
import { InboundProcessor } from './inbound.processor.js';
import type { Link, LinkListener } from './link.js';
import { LinkSession } from './link.session.js';
import { SessionRegistry } from './session.registry.js';

/**
 * The one door every transport uses: "a link opened" returns the listener the transport reports
 * that link's envelopes and its end to. Nothing above this knows which transport a session uses.
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly registry: SessionRegistry,
    private readonly delivery: OutboundDelivery,
    private readonly inbound: InboundProcessor,
    @Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions,
  ) {}

  openLink(link: Link): LinkListener {
    return new LinkSession(link, this.options, this.registry, this.delivery, this.inbound);
  }
}
