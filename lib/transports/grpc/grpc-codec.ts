import { DuplexError } from '../../envelope/duplex.error.js';
import type { Envelope } from '../../envelope/envelope.js';
import { ErrorCode } from '../../envelope/error-codes.js';
import { type DecodeResult, validateEnvelope } from '../../envelope/json-codec.js';
import type { PreparedMessage } from '../../envelope/prepared-message.js';
import type { ProtoEnvelope } from './duplex-proto.js';

/**
 * Envelopes to and from protobuf (proto/duplex.proto): `data` travels as JSON text in `data_json`.
 * A sequenced message is written as two concatenated protobuf encodings — the part every recipient
 * shares, encoded once per message, and the recipient's `seq`, `ack` and `session_id` — which
 * protobuf defines to be the same as one message with all the fields.
 */
export class GrpcCodec {
  private readonly shared = new WeakMap<PreparedMessage, Buffer>();
  private readonly seen = new WeakSet<PreparedMessage>();

  constructor(private readonly serialize: (value: ProtoEnvelope) => Buffer) {}

  /** A received message as a validated envelope; absent proto3 fields are their defaults (`data_json` "" = `{}`). */
  decode(message: ProtoEnvelope): DecodeResult {
    const id = message.id ?? '';
    let data: unknown;
    try {
      data = message.data_json === undefined || message.data_json === '' ? {} : JSON.parse(message.data_json);
    } catch {
      return { ok: false, error: new DuplexError(ErrorCode.BAD_ENVELOPE, '"data_json" is not valid JSON'), replyTo: id || undefined };
    }
    const raw: Record<string, unknown> = {
      id,
      type: message.type ?? '',
      action: message.action ?? '',
      data,
      timestamp: message.timestamp ?? 0,
      session_id: message.session_id ?? '',
    };
    // proto3 defaults mean "absent": reply_to "", seq 0, ack 0.
    if (message.reply_to) raw.reply_to = message.reply_to;
    if (message.seq) raw.seq = message.seq;
    if (message.ack) raw.ack = message.ack;
    const result = validateEnvelope(raw);
    if (!result.ok && result.error.message.startsWith('"data"')) {
      return { ok: false, error: new DuplexError(ErrorCode.BAD_ENVELOPE, '"data_json" must hold a JSON object'), replyTo: result.replyTo };
    }
    return result;
  }

  /** An unsequenced envelope (welcome, heartbeat, ack, frame errors). */
  encodeControl(envelope: Envelope): Buffer {
    const message: ProtoEnvelope = {
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
    return this.serialize(message);
  }

  /**
   * A sequenced message for one recipient. The first recipient gets one plain encoding; from the
   * second on (a broadcast), the shared part is encoded once and each recipient's own fields are
   * appended to it.
   */
  encodeSequenced(prepared: PreparedMessage, sessionId: string, seq: number, ack: number): Buffer {
    let shared = this.shared.get(prepared);
    if (shared === undefined) {
      if (!this.seen.has(prepared)) {
        this.seen.add(prepared);
        const whole = this.body(prepared);
        whole.session_id = sessionId;
        whole.seq = seq;
        if (ack > 0) whole.ack = ack;
        return this.serialize(whole);
      }
      shared = this.serialize(this.body(prepared));
      this.shared.set(prepared, shared);
    }
    const own: ProtoEnvelope = ack > 0 ? { session_id: sessionId, seq, ack } : { session_id: sessionId, seq };
    return Buffer.concat([shared, this.serialize(own)]);
  }

  private body(prepared: PreparedMessage): ProtoEnvelope {
    const body: ProtoEnvelope = {
      id: prepared.id,
      type: prepared.type,
      action: prepared.action,
      data_json: prepared.dataJson(),
      timestamp: prepared.timestamp,
    };
    if (prepared.replyTo !== undefined) body.reply_to = prepared.replyTo;
    return body;
  }
}
