import type { ResolvedDuplexOptions } from '../duplex-options.js';
import { DuplexError } from '../envelope/duplex.error.js';
import type { Envelope, EnvelopeData } from '../envelope/envelope.js';
import { ErrorCode } from '../envelope/error-codes.js';

/** The wire protocol version this server speaks (docs/protocol.md; told to clients in the welcome). */
export const PROTOCOL_VERSION = 2;

/** What a resume `$hello` asks for. */
export interface ResumeRequest {
  sessionId: string;
  resumeToken: string;
  /** Highest server seq the client processed; 0 when the hello leaves it out (docs/protocol.md §4). */
  lastSeq: number;
}

/** Reads the resume fields of a `$hello`: undefined for a fresh session, a DuplexError when malformed. */
export function readResume(hello: Envelope): ResumeRequest | DuplexError | undefined {
  const { session_id: sessionId, resume_token: resumeToken, last_seq: lastSeq } = hello.data;
  if (sessionId === undefined && resumeToken === undefined) return undefined;
  if (typeof sessionId !== 'string' || typeof resumeToken !== 'string') {
    return new DuplexError(ErrorCode.SESSION_EXPIRED, 'A resume needs "session_id" and "resume_token" strings');
  }
  const last = lastSeq ?? 0;
  if (typeof last !== 'number' || !Number.isSafeInteger(last) || last < 0) {
    return new DuplexError(ErrorCode.SESSION_EXPIRED, '"last_seq" must be a non-negative integer');
  }
  return { sessionId, resumeToken, lastSeq: last };
}

/** The `data` of the welcome (docs/protocol.md §4). */
export function welcomeData(
  session: { id: string; token: string },
  inboundSeq: number,
  link: { maxPayload: number },
  resumed: boolean,
  options: ResolvedDuplexOptions,
  resumeError: DuplexError | undefined,
): EnvelopeData {
  return {
    protocol_version: PROTOCOL_VERSION,
    session_id: session.id,
    resume_token: session.token,
    resumed,
    last_seq: inboundSeq,
    heartbeat: { interval_ms: options.heartbeat.intervalMs, timeout_ms: options.heartbeat.timeoutMs },
    ack: { interval_ms: options.ack.intervalMs, max_messages: options.ack.maxMessages },
    limits: { max_payload: link.maxPayload },
    ...(resumeError === undefined ? {} : { resume_error: { code: resumeError.code, message: resumeError.message } }),
  };
}
