/** Reads the welcome (docs/protocol.md §4) into a typed value; the defaults are the protocol's examples. */
import { DuplexError } from '../envelope/duplex.error.js';
import type { EnvelopeData } from '../envelope/envelope.js';
import { ErrorCode } from '../envelope/error-codes.js';
import type { AckTimings } from './ack-scheduler.js';

export interface Welcome {
  sessionId: string;
  resumeToken: string;
  resumed: boolean;
  /** The highest client seq the server holds. */
  lastSeq: number;
  heartbeat: { intervalMs: number; timeoutMs: number };
  ack: AckTimings;
  /** Largest frame the server accepts, in bytes (`limits.max_payload`); larger ones would close the link. */
  maxPayload: number;
  resumeError?: { code: string; message: string };
}

/** The protocol's default `max_payload` (1 MiB), assumed until a welcome says otherwise. */
export const DEFAULT_MAX_PAYLOAD = 1_048_576;

function objectField(data: EnvelopeData, name: string): EnvelopeData {
  const value = data[name];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as EnvelopeData) : {};
}

function count(data: EnvelopeData, name: string, fallback: number, min: number): number {
  const value = data[name];
  return typeof value === 'number' && Number.isFinite(value) && value >= min ? value : fallback;
}

/** A welcome without a session id or token is a protocol error: the client could never resume. */
export function parseWelcome(data: EnvelopeData): Welcome | DuplexError {
  const { session_id: sessionId, resume_token: resumeToken } = data;
  if (typeof sessionId !== 'string' || sessionId.length === 0 || typeof resumeToken !== 'string') {
    return new DuplexError(ErrorCode.BAD_ENVELOPE, 'The welcome lacks "session_id" or "resume_token"');
  }
  const heartbeat = objectField(data, 'heartbeat');
  const ack = objectField(data, 'ack');
  const limits = objectField(data, 'limits');
  const welcome: Welcome = {
    sessionId,
    resumeToken,
    resumed: data.resumed === true,
    lastSeq: count(data, 'last_seq', 0, 0),
    heartbeat: {
      intervalMs: count(heartbeat, 'interval_ms', 25_000, 1),
      timeoutMs: count(heartbeat, 'timeout_ms', 20_000, 0),
    },
    ack: {
      intervalMs: count(ack, 'interval_ms', 50, 0),
      maxMessages: Math.max(1, Math.floor(count(ack, 'max_messages', 32, 1))),
    },
    maxPayload: count(limits, 'max_payload', DEFAULT_MAX_PAYLOAD, 1),
  };
  if (data.resume_error !== undefined) {
    const error = objectField(data, 'resume_error');
    welcome.resumeError = {
      code: typeof error.code === 'string' ? error.code : ErrorCode.SESSION_EXPIRED,
      message: typeof error.message === 'string' ? error.message : 'The session could not be resumed',
    };
  }
  return welcome;
}

/**
 * Why a resume of `previousId` did not happen, from its welcome; undefined when it did (or when
 * there was nothing to resume). `resumed: false` without `resume_error` means `session_expired`.
 */
export function resumeFailure(previousId: string | undefined, welcome: Welcome): { code: string; message: string } | undefined {
  if (previousId === undefined) return undefined;
  if (welcome.resumeError === undefined && welcome.resumed && welcome.sessionId === previousId) return undefined;
  return welcome.resumeError ?? { code: ErrorCode.SESSION_EXPIRED, message: 'The server opened a new session instead of resuming' };
}
