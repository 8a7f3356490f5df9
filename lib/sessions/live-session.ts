import type { Link } from './link.js';

/**
 * What one node keeps of a session whose push link it holds: the link and its cursors. Nothing
 * here is needed by another node; the session itself lives in the broker.
 */
export class LiveSession {
  // server → client, for this link
  /** Highest seq written to this link. */
  written = 0;
  /** Highest seq the client acknowledged. */
  acked = 0;
  /** A replay/catch-up loop is running. */
  pumping = false;
  /** Something was appended while the pump was reading: read again before stopping. */
  pumpAgain = false;
  /** The pump waits for the link's buffer to drain. */
  waitingDrain = false;
  // client → server, for this link
  /** Highest client seq known received (the `ack` piggybacked on what is written). */
  inboundSeq = 0;
  /** Highest client seq acknowledged on this link. */
  inboundAcked = 0;
  /** A duplicate arrived: the client missed an ack and is owed one. */
  ackOwed = false;
  /** The link was closed or replaced: nothing more is written through this object. */
  closed = false;

  constructor(
    readonly id: string,
    readonly link: Link,
    /** This link's id in the broker's record (`holder.link`). */
    readonly linkId: string,
    /** The outbox epoch seen at attach: a read with another epoch is a gap. */
    readonly epoch: string,
  ) {}
}
