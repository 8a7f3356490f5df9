import { randomUUID } from 'node:crypto';
import type { DuplexError } from './duplex.error.js';
import { type Envelope, type EnvelopeData, MessageType, nowSeconds } from './envelope.js';
import { PreparedMessage } from './prepared-message.js';

/** Builders for the server's outbound messages, so every one has the same shape. */

export function preparedNotification(action: string, data: EnvelopeData): PreparedMessage {
  return new PreparedMessage({ id: randomUUID(), type: MessageType.NOTIFICATION, action, data, timestamp: nowSeconds() });
}

export function preparedRequest(id: string, action: string, data: EnvelopeData): PreparedMessage {
  return new PreparedMessage({ id, type: MessageType.REQUEST, action, data, timestamp: nowSeconds() });
}

export function preparedResponse(request: Envelope, data: EnvelopeData): PreparedMessage {
  return new PreparedMessage({
    id: randomUUID(),
    type: MessageType.RESPONSE,
    action: request.action,
    data,
    timestamp: nowSeconds(),
    reply_to: request.id,
  });
}

export function preparedError(error: DuplexError, replyTo: string | undefined, action = ''): PreparedMessage {
  return new PreparedMessage({
    id: randomUUID(),
    type: MessageType.ERROR,
    action,
    data: error.toData(),
    timestamp: nowSeconds(),
    ...(replyTo === undefined ? {} : { reply_to: replyTo }),
  });
}

/** An unsequenced frame: welcome, heartbeat, ack or a frame error. */
export function controlEnvelope(
  type: MessageType,
  sessionId: string,
  data: EnvelopeData,
  fields: { action?: string; reply_to?: string } = {},
): Envelope {
  const envelope: Envelope = {
    id: randomUUID(),
    type,
    action: fields.action ?? '',
    data,
    timestamp: nowSeconds(),
    session_id: sessionId,
  };
  if (fields.reply_to !== undefined) envelope.reply_to = fields.reply_to;
  return envelope;
}
