import type { EnvelopeData, MessageType } from './envelope.js';

/** Everything of an outbound envelope except what differs per recipient (`session_id`, `seq`, `ack`). */
export interface OutboundBody {
  id: string;
  type: MessageType;
  action: string;
  data: EnvelopeData;
  timestamp: number;
  reply_to?: string;
}

/** An outbound body's fields but its data (what `PreparedMessage.fromJsonTail` reads from the JSON). */
type OutboundHead = Omit<OutboundBody, 'data'>;

/**
 * An outbound message serialised once, however many sessions receive it. It keeps one string,
 * the body's JSON without its opening brace, built so that the data's JSON is a known slice of it:
 * text transports splice each recipient's `seq`, `ack` and `session_id` in front (json-codec.ts),
 * and codecs that carry `data` as JSON text (gRPC's `data_json`) take `dataJson()` without
 * serialising again. A message waiting in an outbox costs about its serialised size.
 * @publicApi
 */
export class PreparedMessage {
  readonly id: string;
  readonly type: MessageType;
  readonly action: string;
  readonly timestamp: number;
  readonly replyTo: string | undefined;
  private readonly tail: string;
  private parsed: OutboundBody | undefined;

  constructor(body: OutboundBody);
  /** @internal `fromJsonTail`'s: the tail exactly as `jsonTail()` gave it, taken as is. */
  constructor(head: OutboundHead, tail: string);
  constructor(body: OutboundBody | OutboundHead, tail?: string) {
    this.id = body.id;
    this.type = body.type;
    this.action = body.action;
    this.timestamp = body.timestamp;
    this.replyTo = body.reply_to;
    if (tail !== undefined) {
      this.tail = tail;
      return;
    }
    if (!('data' in body) || typeof body.data !== 'object' || body.data === null) throw new TypeError('The data of a message must be a JSON object');
    const ordered: OutboundBody = { id: body.id, type: body.type, action: body.action, data: body.data, timestamp: body.timestamp };
    if (body.reply_to !== undefined) ordered.reply_to = body.reply_to;
    // One JSON.stringify gives a flat string (concatenation would keep a rope of parts alive in
    // every outbox).
    this.tail = JSON.stringify(ordered).slice(1);
  }

  /**
   * The message again from its `jsonTail()` (as a broker stored it), without parsing or serialising
   * its data: only the fields before the data and after it are parsed. Throws on a string that is
   * not such a tail.
   */
  static fromJsonTail(tail: string): PreparedMessage {
    // As in dataJson(): the first `,"data":` is the data's key, the last `,"timestamp":` the next key.
    const dataKey = tail.indexOf(',"data":');
    const timestampKey = tail.lastIndexOf(',"timestamp":');
    if (dataKey < 0 || timestampKey < dataKey || !tail.endsWith('}')) throw new SyntaxError('Not the JSON tail of a prepared message');
    const head = JSON.parse(`{${tail.slice(0, dataKey)}}`) as Pick<OutboundHead, 'id' | 'type' | 'action'>;
    const end = JSON.parse(`{${tail.slice(timestampKey + 1)}`) as Pick<OutboundHead, 'timestamp' | 'reply_to'>;
    if (typeof head.id !== 'string' || typeof head.type !== 'string' || typeof head.action !== 'string' || typeof end.timestamp !== 'number') {
      throw new SyntaxError('Not the JSON tail of a prepared message');
    }
    const fields: OutboundHead = { id: head.id, type: head.type, action: head.action, timestamp: end.timestamp };
    if (end.reply_to !== undefined) fields.reply_to = end.reply_to;
    return new PreparedMessage(fields, tail);
  }

  /** The body's JSON without its opening brace, e.g. `"id":"…","type":…}`. */
  jsonTail(): string {
    return this.tail;
  }

  /**
   * The data's JSON, as serialised once for every recipient (a slice of the body's JSON: no copy
   * for long data). Inside a JSON string every quote is escaped, so the first `"data":` is the key
   * of the body's data, and the last `,"timestamp":` the key that follows it.
   */
  dataJson(): string {
    return this.tail.slice(this.tail.indexOf('"data":') + 7, this.tail.lastIndexOf(',"timestamp":'));
  }

  /** The body as an object (parsed from the JSON on first use, then kept). */
  get body(): OutboundBody {
    this.parsed ??= JSON.parse(`{${this.tail}`) as OutboundBody;
    return this.parsed;
  }

  /** Size used for outbox accounting: characters of the serialised body. */
  get size(): number {
    return this.tail.length;
  }
}
