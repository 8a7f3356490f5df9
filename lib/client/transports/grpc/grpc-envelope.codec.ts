/**
 * The client's envelope text ↔ the `Envelope` message of proto/duplex.proto (docs/protocol.md
 * §2b): the same fields, with `data` carried as its JSON text in `data_json`. A proto3 default
 * means absent (`reply_to` "", `seq` 0, `ack` 0), and the client never sends those values.
 */
import { DuplexError } from '../../../envelope/duplex.error.js';
import type { Envelope } from '../../../envelope/envelope.js';
import type { ProtoEnvelope } from '../../../envelope/duplex-proto.js';
import { ErrorCode } from '../../../envelope/error-codes.js';

/** An `Envelope` message as @grpc/proto-loader hands it over (keepCase, longs as numbers, defaults left out). */
export type EnvelopeMessage = ProtoEnvelope;

/** The message for one envelope text the client wrote (always a valid envelope of its own making). */
export function toMessage(text: string): EnvelopeMessage {
  const envelope = JSON.parse(text) as Envelope;
  const message: EnvelopeMessage = {
    id: envelope.id,
    type: envelope.type,
    action: envelope.action,
    data_json: JSON.stringify(envelope.data),
    timestamp: envelope.timestamp,
    session_id: envelope.session_id,
  };
  if (envelope.reply_to !== undefined) message.reply_to = envelope.reply_to;
  if (envelope.seq !== undefined) message.seq = envelope.seq;
  if (envelope.ack !== undefined) message.ack = envelope.ack;
  return message;
}

export type DecodedMessage = { ok: true; text: string } | { ok: false; error: DuplexError };

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * The envelope text of one received message, for the client's usual decoder (which validates the
 * other fields). proto3 leaves out empty strings and zeros: an absent `reply_to`, `seq` or `ack`
 * stays absent, the other fields read as "" or 0, and `data_json` as `{}`. A `data_json` must be a
 * JSON object, and is then spliced in as it came, not parsed into a copy.
 */
export function fromMessage(message: EnvelopeMessage): DecodedMessage {
  const dataJson = message.data_json ?? '{}';
  if (!isJsonObject(dataJson)) {
    return { ok: false, error: new DuplexError(ErrorCode.BAD_FRAME, `The server sent a message whose data_json is not a JSON object (id "${message.id ?? ''}")`) };
  }
  const head: Omit<Envelope, 'data' | 'type'> & { type: string } = {
    id: message.id ?? '',
    type: message.type ?? '',
    action: message.action ?? '',
    timestamp: message.timestamp ?? 0,
    session_id: message.session_id ?? '',
  };
  if (message.reply_to !== undefined) head.reply_to = message.reply_to;
  if (message.seq !== undefined) head.seq = message.seq;
  if (message.ack !== undefined) head.ack = message.ack;
  return { ok: true, text: `${JSON.stringify(head).slice(0, -1)},"data":${dataJson}}` };
}
