import type { PreparedMessage } from '../envelope/prepared-message.js';

/** One sequenced message waiting in a session's outbox. */
export interface OutboxEntry {
  seq: number;
  message: PreparedMessage;
}

export type AppendResult = { ok: true; seq: number } | { ok: false; reason: 'overflow' | 'missing' };

/** Limits every store enforces per session. */
export interface OutboxLimits {
  maxMessages: number;
  maxBytes: number;
}

/**
 * Where un-acknowledged server→client messages of each session wait, numbered by `seq`.
 * The in-memory store is the default; a Redis store implements the same five calls so that a
 * session can be resumed on any node. Calls on one session resolve in the order they were made.
 * @publicApi
 */
export interface OutboxStore {
  /** Starts an empty outbox for a new session (next seq is 1). */
  create(sessionId: string): Promise<void>;
  /** Gives the message the session's next seq and keeps it; refuses when the limits are passed. */
  append(sessionId: string, message: PreparedMessage): Promise<AppendResult>;
  /** Up to `limit` entries with seq > afterSeq, in seq order. */
  read(sessionId: string, afterSeq: number, limit: number): Promise<OutboxEntry[]>;
  /** Forgets every entry with seq <= uptoSeq (the client acknowledged them). */
  trim(sessionId: string, uptoSeq: number): Promise<void>;
  /** Forgets the session's outbox entirely. */
  delete(sessionId: string): Promise<void>;
  /** The last seq given out for the session (0 if none). */
  lastSeq(sessionId: string): Promise<number>;
}
