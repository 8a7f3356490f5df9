/** Builds the envelopes the client sends, and maps between error envelopes and DuplexError. */
import { DuplexError } from '../envelope/duplex.error.js';
import { type Envelope, type EnvelopeData, BYE_ACTION, HELLO_ACTION, type MessageType, nowSeconds, RESERVED_ACTION_PREFIX } from '../envelope/envelope.js';
import { ErrorCode } from '../envelope/error-codes.js';
import { FIELD_LIMITS } from '../envelope/json-codec.js';
import { PreparedMessage } from '../envelope/prepared-message.js';
import { randomId } from './random-id.js';

export function makeEnvelope(type: MessageType, action: string, data: EnvelopeData, replyTo?: string): Envelope {
  const envelope: Envelope = { id: randomId(), type, action, data, timestamp: nowSeconds(), session_id: '' };
  if (replyTo !== undefined) envelope.reply_to = replyTo;
  return envelope;
}

/**
 * A sequenced message, serialised now: data that cannot become JSON (a BigInt, a cycle) fails at
 * the call that produced it, not later inside a resend. Its `seq` and `session_id` are spliced in
 * at send time (json-codec `frameJson`).
 */
export function prepareMessage(type: MessageType, action: string, data: EnvelopeData, replyTo?: string): PreparedMessage {
  try {
    return new PreparedMessage({
      id: randomId(),
      type,
      action,
      data,
      timestamp: nowSeconds(),
      ...(replyTo === undefined ? {} : { reply_to: replyTo }),
    });
  } catch (error) {
    throw new DuplexError(ErrorCode.BAD_ENVELOPE, `"data" cannot be encoded as JSON: ${String(error)}`);
  }
}

/** What the client resumes from, if it has a session. */
export interface ResumeState {
  sessionId: string;
  resumeToken: string;
  lastSeq: number;
}

export function makeHello(resume: ResumeState | undefined): Envelope {
  const data: EnvelopeData =
    resume === undefined ? {} : { session_id: resume.sessionId, resume_token: resume.resumeToken, last_seq: resume.lastSeq };
  return makeEnvelope('request', HELLO_ACTION, data);
}

/** The goodbye (docs/protocol.md §4): an unsequenced request that ends the session on the server, on every transport. */
export function makeBye(sessionId: string): Envelope {
  const bye = makeEnvelope('request', BYE_ACTION, {});
  bye.session_id = sessionId;
  return bye;
}

function isPlainObject(value: unknown): value is EnvelopeData {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Throws `bad_envelope` for what the server would refuse anyway: better at the call site than as a late error event. */
export function checkOutgoing(action: string, data: unknown): asserts data is EnvelopeData {
  if (typeof action !== 'string' || action.length === 0 || action.length > FIELD_LIMITS.actionLength) {
    throw new DuplexError(ErrorCode.BAD_ENVELOPE, `"action" must be a string of 1–${FIELD_LIMITS.actionLength} characters`);
  }
  if (action.startsWith(RESERVED_ACTION_PREFIX)) {
    throw new DuplexError(ErrorCode.BAD_ENVELOPE, `Actions starting with "${RESERVED_ACTION_PREFIX}" are reserved for the protocol`);
  }
  if (!isPlainObject(data)) {
    throw new DuplexError(ErrorCode.BAD_ENVELOPE, '"data" must be a JSON object');
  }
}

/** A handler's result as response `data` (docs/protocol.md §1, "Handler results"). */
export function toResponseData(result: unknown): EnvelopeData {
  if (result === undefined || result === null) return {};
  if (isPlainObject(result)) return result;
  return { value: result };
}

/** What a throwing callback sends back: its own code if it threw a DuplexError, else a generic `internal`. */
export function toErrorData(error: unknown): EnvelopeData {
  if (error instanceof DuplexError) return error.toData();
  return { code: ErrorCode.INTERNAL, message: 'Internal error' };
}

/** An `error` envelope's data as a DuplexError; unknown codes are kept (applications may have their own). */
export function fromErrorData(data: EnvelopeData): DuplexError {
  const { code, message, status, ...details } = data;
  const safeCode = typeof code === 'string' && code.length > 0 ? code : ErrorCode.INTERNAL;
  return new DuplexError(
    safeCode,
    typeof message === 'string' ? message : safeCode,
    Object.keys(details).length > 0 ? details : undefined,
    typeof status === 'number' ? status : undefined,
  );
}

const utf8 = new TextEncoder();

/**
 * A frame over the server's `max_payload` would close the link, and being resent on every resume
 * it would block the session for good: refuse it at the call instead (`too_large`).
 */
export function checkFrameSize(message: PreparedMessage, maxPayload: number, sessionIdLength: number): PreparedMessage {
  // UTF-8 bytes of the body plus the seq/ack/session_id prefix added when it is framed.
  const bytes = utf8.encode(message.jsonTail()).length + 64 + sessionIdLength;
  if (bytes > maxPayload) {
    throw new DuplexError(ErrorCode.TOO_LARGE, `The message is ${bytes} bytes; the server accepts at most ${maxPayload}`);
  }
  return message;
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
