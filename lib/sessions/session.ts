import type { Link } from './link.js';
import { RecentRequests } from './recent-requests.js';

/**
 * A remembered inbound message: the seq of its answer once queued, so a retry is answered again
 * from the outbox (while the answer is un-acked) and never re-run. Only a number is kept, not the answer.
 */
export interface SeenRequest {
  answerSeq: number;
}

/**
 * The logical client: outlives connections. Holds what this node knows of it; the outbox itself
 * lives in the OutboxStore.
 */
export class Session {
  /** The live link, if any. */
  link: Link | undefined;
  /** When the session last lost its link (for the TTL); undefined while connected. */
  offlineSince: number | undefined = Date.now();
  expiryTimer: NodeJS.Timeout | undefined;
  /** Set when the outbox overflowed: the session is dead and a resume gets `outbox_overflow`. */
  overflowed = false;
  closed = false;

  // server → client
  /** Highest seq written to the current link. */
  written = 0;
  /** Highest seq the client acknowledged. */
  acked = 0;
  /** A replay/catch-up loop is running. */
  pumping = false;
  /** Something was appended while the pump was reading: read again before stopping. */
  pumpAgain = false;
  /** The pump waits for the link's buffer to drain. */
  waitingDrain = false;

  // client → server
  /** Highest client seq received. */
  inboundSeq = 0;
  /** Highest client seq acknowledged to the client. */
  inboundAcked = 0;
  /** A duplicate arrived: the client missed an ack and is owed one. */
  ackOwed = false;
  /** Handlers of this session still running. */
  inflight = 0;
  /** Recent request ids, bounded by `dedupWindow`. */
  readonly seen: RecentRequests;

  constructor(
    readonly id: string,
    readonly resumeToken: string,
    readonly principal: unknown,
    readonly identity: string,
    dedupWindow = 1024,
  ) {
    this.seen = new RecentRequests(dedupWindow);
  }

  get connected(): boolean {
    return this.link !== undefined;
  }
}
