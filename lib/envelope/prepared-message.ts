import type { EnvelopeData, MessageType } from './envelope.js';

/** Everything of an outbound envelope except what differs per recipient (`session_id`, `seq`). */
export interface OutboundBody {
  id: string;
  type: MessageType;
  action: string;
  data: EnvelopeData;
  timestamp: number;
  reply_to?: string;
}

/**
 * An outbound message serialised once, however many sessions receive it: the JSON of the shared
 * part is computed on first use and reused, and each recipient's frame only splices its own
 * `seq` and `session_id` in front (see json-codec.ts).
 */
export class PreparedMessage {
  private tail: string | undefined;

  constructor(readonly body: OutboundBody) {}

  /** The body's JSON without its opening brace, e.g. `"id":"…","type":…}`. */
  jsonTail(): string {
    if (this.tail === undefined) {
      this.tail = JSON.stringify(this.body).slice(1);
    }
    return this.tail;
  }

  /** Size used for outbox accounting: characters of the serialised body. */
  get size(): number {
    return this.jsonTail().length;
  }
}
