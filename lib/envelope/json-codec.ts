import { DuplexError } from './duplex.error.js';
import { type Envelope, MESSAGE_TYPES, type MessageType } from './envelope.js';
import { ErrorCode } from './error-codes.js';
import type { PreparedMessage } from './prepared-message.js';

/** Limits on the fields of an inbound envelope (docs/protocol.md, "Validation"). */
export const FIELD_LIMITS = {
  idLength: 128,
  actionLength: 128,
  sessionIdLength: 128,
} as const;

export type DecodeResult =
  | { ok: true; envelope: Envelope }
  | { ok: false; error: DuplexError; replyTo?: string };

const ID_TYPES_NEEDING_ACTION: ReadonlySet<MessageType> = new Set(['request', 'notification']);

function fail(code: string, message: string, replyTo?: string): DecodeResult {
  return { ok: false, error: new DuplexError(code, message), replyTo };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkString(value: unknown, name: string, max: number, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string') return `"${name}" must be a string`;
  if (value.length > max) return `"${name}" is longer than ${max} characters`;
  return undefined;
}

/**
 * Decodes one JSON text frame into a validated envelope. Never throws: what fails comes back as a
 * DuplexError (`bad_frame` when the text is not a JSON object, `bad_envelope` when a field is wrong)
 * with the frame's `id` as `replyTo` whenever it could be read.
 */
export function decodeJson(text: string): DecodeResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail(ErrorCode.BAD_FRAME, 'Frame is not valid JSON');
  }
  if (!isPlainObject(parsed)) {
    return fail(ErrorCode.BAD_FRAME, 'Frame must be a JSON object (an envelope)');
  }
  return validateEnvelope(parsed);
}

export function validateEnvelope(raw: Record<string, unknown>): DecodeResult {
  const idProblem = checkString(raw.id, 'id', FIELD_LIMITS.idLength, true);
  const replyTo = idProblem === undefined ? (raw.id as string) : undefined;
  if (idProblem) return fail(ErrorCode.BAD_ENVELOPE, idProblem);
  if ((raw.id as string).length === 0) return fail(ErrorCode.BAD_ENVELOPE, '"id" must not be empty');
  if (typeof raw.type !== 'string' || !MESSAGE_TYPES.has(raw.type)) {
    return fail(ErrorCode.BAD_ENVELOPE, `"type" must be one of ${[...MESSAGE_TYPES].join(', ')}`, replyTo);
  }
  const type = raw.type as MessageType;
  const problem =
    checkString(raw.action, 'action', FIELD_LIMITS.actionLength, true) ??
    checkString(raw.session_id, 'session_id', FIELD_LIMITS.sessionIdLength, false) ??
    checkString(raw.reply_to, 'reply_to', FIELD_LIMITS.idLength, false);
  if (problem) return fail(ErrorCode.BAD_ENVELOPE, problem, replyTo);
  if (ID_TYPES_NEEDING_ACTION.has(type) && (raw.action as string).length === 0) {
    return fail(ErrorCode.BAD_ENVELOPE, `"action" must not be empty on a ${type}`, replyTo);
  }
  if (!isPlainObject(raw.data)) {
    return fail(ErrorCode.BAD_ENVELOPE, '"data" must be a JSON object', replyTo);
  }
  if (typeof raw.timestamp !== 'number' || !Number.isFinite(raw.timestamp)) {
    return fail(ErrorCode.BAD_ENVELOPE, '"timestamp" must be a number (seconds since the epoch)', replyTo);
  }
  // seq numbers start at 1 (a seq of 0 would be neither new nor a duplicate); an ack of 0 acknowledges nothing.
  for (const [field, min] of [['seq', 1], ['ack', 0]] as const) {
    const value = raw[field];
    if (value !== undefined && (!Number.isSafeInteger(value) || (value as number) < min)) {
      return fail(ErrorCode.BAD_ENVELOPE, `"${field}" must be an integer ≥ ${min}`, replyTo);
    }
  }
  const envelope: Envelope = {
    id: raw.id as string,
    type,
    action: raw.action as string,
    data: raw.data,
    timestamp: raw.timestamp,
    session_id: (raw.session_id as string | undefined) ?? '',
  };
  if (raw.reply_to !== undefined) envelope.reply_to = raw.reply_to as string;
  if (raw.seq !== undefined) envelope.seq = raw.seq as number;
  if (raw.ack !== undefined) envelope.ack = raw.ack as number;
  return { ok: true, envelope };
}

/** Encodes a whole envelope (control frames, which carry no `seq`). */
export function encodeJson(envelope: Envelope): string {
  return JSON.stringify(envelope);
}

/**
 * The frame of a sequenced message: the recipient's `seq`, the piggybacked `ack` of the other
 * direction (when there is one) and `session_id`, then the shared body.
 */
export function frameJson(message: PreparedMessage, sessionId: string, seq: number, ack = 0): string {
  const acked = ack > 0 ? `"ack":${ack},` : '';
  return `{"seq":${seq},${acked}"session_id":${JSON.stringify(sessionId)},${message.jsonTail()}`;
}
