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
 * part is computed when the message is made, and each recipient's frame only splices its own
 * `seq` and `session_id` in front (see json-codec.ts). Only the JSON is kept, not the object, so
 * a message waiting in an outbox costs about its serialised size.
 */
export class PreparedMessage {
  readonly id: string;
  readonly type: MessageType;
  readonly action: string;
  private readonly tail: string;

  constructor(body: OutboundBody) {
    this.id = body.id;
    this.type = body.type;
    this.action = body.action;
    this.tail = JSON.stringify(body).slice(1);
  }

  /** The body's JSON without its opening brace, e.g. `"id":"…","type":…}`. */
  jsonTail(): string {
    return this.tail;
  }

  /** The body as an object again (decoded from the JSON; for codecs that need fields). */
  get body(): OutboundBody {
    return JSON.parse(`{${this.tail}`) as OutboundBody;
  }

  /** Size used for outbox accounting: characters of the serialised body. */
  get size(): number {
    return this.tail.length;
  }
}
