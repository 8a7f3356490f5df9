import { Inject, Injectable } from '@nestjs/common';
import type { DuplexBroker, OutboxEntry } from '../brokers/broker.js';
import { PullWaiters } from '../delivery/pull.waiters.js';
import { DUPLEX_BROKER, DUPLEX_RESOLVED_OPTIONS } from '../duplex.constants.js';
import type { ResolvedDuplexOptions } from '../duplex-options.js';
import { DuplexError } from '../envelope/duplex.error.js';
import { ErrorCode } from '../envelope/error-codes.js';
import { SessionRegistry } from './session.registry.js';

/** @publicApi */
export interface PullRequest {
  sessionId: string;
  /** The session's resume token: proves the caller owns it. */
  token: string;
  /** The client's cumulative ack: everything ≤ cursor is processed (and trimmed); the batch starts after it. */
  cursor: number;
  /**
   * Read after this seq instead of after `cursor` (≥ cursor): a stream (SSE) reads past what it
   * already wrote while trimming only what the client acknowledged.
   */
  after?: number;
  /** How long to hold the pull when nothing follows the cursor (0 = answer at once). */
  waitMs: number;
  /** Most messages in one batch (default `outbox.replayBatch`). */
  limit?: number;
  /** Aborts the wait (client went away, server shutting down): answers with what there is. */
  signal?: AbortSignal;
}

/** @publicApi */
export type PullResult =
  | {
      ok: true;
      messages: OutboxEntry[];
      /**
       * The cursor in effect: the one asked for, clamped to the last seq given out. A stream that
       * pulls again and again (SSE) continues from this one, so a cursor from the future never trims
       * messages that come later.
       */
      cursor: number;
    }
  | { ok: false; error: DuplexError };

/**
 * Pull delivery, for transports that ask rather than hold a socket (long-poll, SSE): "what follows
 * cursor N?", waiting up to T for the first message. The cursor is the client's ack, never what a
 * node wrote, so a batch lost on the way is read again from the same cursor, on any node.
 */
@Injectable()
export class PullDoor {
  constructor(
    @Inject(DUPLEX_BROKER) private readonly broker: DuplexBroker,
    private readonly registry: SessionRegistry,
    private readonly waiters: PullWaiters,
    @Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions,
  ) {}

  /** Why the session is gone, as a resume would be told (outbox_overflow or session_expired). */
  private async ended(sessionId: string, token: string): Promise<DuplexError> {
    const verified = await this.registry.verify(sessionId, token);
    return verified instanceof DuplexError ? verified : new DuplexError(ErrorCode.SESSION_EXPIRED, 'The session has ended');
  }

  async pull(request: PullRequest): Promise<PullResult> {
    const { sessionId, cursor } = request;
    const after = request.after ?? cursor;
    if (!Number.isSafeInteger(cursor) || cursor < 0 || !Number.isSafeInteger(after) || after < cursor) {
      return { ok: false, error: new DuplexError(ErrorCode.BAD_REQUEST, 'The cursor must be a non-negative integer (and "after" at least the cursor)') };
    }
    const verified = await this.registry.verify(sessionId, request.token);
    if (verified instanceof DuplexError) return { ok: false, error: verified };
    const cursors = await this.broker.sessions.touch(sessionId, this.options.session.ttlMs);
    if (cursors === undefined) return { ok: false, error: await this.ended(sessionId, request.token) };
    // A client cannot have processed what was never given out: an ack (or read position) above the
    // last seq is clamped, or later messages at or below it would be trimmed unseen.
    const ack = Math.min(cursor, cursors.lastSeq);
    const from = Math.min(after, Math.max(cursors.lastSeq, ack));
    if (ack > 0) await this.broker.outbox.trim(sessionId, ack);
    const limit = request.limit ?? this.options.outbox.replayBatch;
    const deadline = Date.now() + Math.max(0, request.waitMs);
    for (;;) {
      // Registered before the read, so an append between the read and the wait still wakes it.
      let wake: () => void = () => undefined;
      const woken = new Promise<void>((resolve) => (wake = resolve));
      const remove = this.waiters.add(sessionId, wake);
      try {
        const read = await this.broker.outbox.read(sessionId, from, limit);
        if (!read.ok) return { ok: false, error: await this.ended(sessionId, request.token) };
        const start = Math.max(from, read.trimmed);
        const first = read.entries[0];
        if (first === undefined ? read.lastSeq > start : first.seq !== start + 1) {
          await this.registry.end(sessionId, ErrorCode.SESSION_EXPIRED);
          return { ok: false, error: new DuplexError(ErrorCode.SESSION_EXPIRED, `The session's stored messages have a gap after ${start}`) };
        }
        const left = deadline - Date.now();
        if (first !== undefined || left <= 0 || request.signal?.aborted) return { ok: true, messages: read.entries, cursor: ack };
        await waitFor(woken, left, request.signal);
      } finally {
        remove();
      }
    }
  }
}

/** Resolves when `woken` does, after `ms`, or when `signal` aborts, whichever comes first. */
function waitFor(woken: Promise<void>, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    void woken.then(done);
  });
}
