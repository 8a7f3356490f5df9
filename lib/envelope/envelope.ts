/**
 * The wire message every transport carries. Field names are the public contract (docs/protocol.md):
 * `session_id` and `reply_to` stay snake_case on the wire.
 */

/** @publicApi */
export const MessageType = {
  REQUEST: 'request',
  RESPONSE: 'response',
  NOTIFICATION: 'notification',
  HEARTBEAT: 'heartbeat',
  ERROR: 'error',
  ACK: 'ack',
} as const;
/** @publicApi */
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** @publicApi */
export const ProtocolType = {
  WEBSOCKET: 'websocket',
  GRPC: 'grpc',
  SSE: 'sse',
  LONG_POLLING: 'long-polling',
} as const;
/** @publicApi */
export type ProtocolType = (typeof ProtocolType)[keyof typeof ProtocolType];

/** A JSON object: what `data` always is. */
export type EnvelopeData = Record<string, unknown>;

/** @publicApi */
export interface Envelope<D extends EnvelopeData = EnvelopeData> {
  /** Unique per sender; a retried message keeps its id. */
  id: string;
  type: MessageType;
  /** Handler name; may be empty for `ack`, `heartbeat`, `response` and `error`. */
  action: string;
  data: D;
  /** Seconds since the Unix epoch, as a float. */
  timestamp: number;
  /** The session the message belongs to; empty on a client's first message. */
  session_id: string;
  /** The id of the request this `response` or `error` answers (or of the heartbeat it echoes). */
  reply_to?: string;
  /** Per-session, per-direction sequence number of a delivered message (see docs/protocol.md). */
  seq?: number;
  /** Piggybacked cumulative acknowledgement of the other direction's `seq` (docs/protocol.md §5). */
  ack?: number;
}

export const MESSAGE_TYPES: ReadonlySet<string> = new Set(Object.values(MessageType));

/** Actions starting with `$` are the protocol's own (hello/welcome); applications cannot register them. */
export const RESERVED_ACTION_PREFIX = '$';
export const HELLO_ACTION = '$hello';
/** The client's goodbye: ends its session on every transport and node (docs/protocol.md §4). */
export const BYE_ACTION = '$bye';

export function nowSeconds(): number {
  return Date.now() / 1000;
}
