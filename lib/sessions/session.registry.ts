import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { DUPLEX_OUTBOX_STORE, DUPLEX_RESOLVED_OPTIONS } from '../duplex.constants.js';
import type { ResolvedDuplexOptions } from '../duplex-options.js';
import { DuplexError } from '../envelope/duplex.error.js';
import { ErrorCode } from '../envelope/error-codes.js';
import type { OutboxStore } from '../delivery/outbox.store.js';
import { type Link, LinkCloseCode } from './link.js';
import { PendingRequests } from './pending-requests.js';
import { newResumeToken, newSessionId } from './random-id.js';
import { Session } from './session.js';

export type ResumeResult = { ok: true; session: Session } | { ok: false; error: DuplexError };

/** Owns the sessions of this node: creation, resume checks, link attachment, TTL expiry. */
@Injectable()
export class SessionRegistry implements OnApplicationShutdown {
  private readonly logger = new Logger(SessionRegistry.name);
  private readonly sessions = new Map<string, Session>();
  readonly pending = new PendingRequests();

  constructor(
    @Inject(DUPLEX_OUTBOX_STORE) private readonly store: OutboxStore,
    @Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions,
  ) {}

  async create(principal: unknown, identity: string): Promise<Session> {
    const session = new Session(newSessionId(), newResumeToken(), principal, identity, this.options.dedupWindow);
    // Stored before the welcome goes out, so a resume at 0 ms finds it.
    await this.store.create(session.id);
    this.sessions.set(session.id, session);
    return session;
  }

  get(sessionId: string): Session | undefined {
    return this.sessions.get(sessionId);
  }

  all(): IterableIterator<Session> {
    return this.sessions.values();
  }

  /** Checks a resume request; on success the session is the caller's to attach. */
  resume(sessionId: string, resumeToken: string, identity: string): ResumeResult {
    const session = this.sessions.get(sessionId);
    if (!session || session.closed || !tokensMatch(session.resumeToken, resumeToken)) {
      return { ok: false, error: new DuplexError(ErrorCode.SESSION_EXPIRED, 'The session is unknown or has expired') };
    }
    if (session.overflowed) {
      this.expire(session, ErrorCode.OUTBOX_OVERFLOW);
      return {
        ok: false,
        error: new DuplexError(ErrorCode.OUTBOX_OVERFLOW, 'The session passed its outbox limits while away and was ended'),
      };
    }
    if (session.identity !== identity) {
      return { ok: false, error: new DuplexError(ErrorCode.FORBIDDEN, 'The session belongs to another principal') };
    }
    return { ok: true, session };
  }

  /** Makes `link` the session's live link, closing any older one (a takeover). */
  attach(session: Session, link: Link): void {
    const previous = session.link;
    if (previous !== undefined && previous !== link) {
      previous.close(LinkCloseCode.TAKEN_OVER, 'session resumed on another connection');
    }
    clearTimeout(session.expiryTimer);
    session.expiryTimer = undefined;
    session.offlineSince = undefined;
    session.link = link;
  }

  /** The link ended: the session stays, resumable, until its TTL runs out. */
  detach(session: Session, link: Link): void {
    if (session.link !== link) return;
    session.link = undefined;
    this.startExpiry(session);
  }

  /** Starts the TTL of a session that has no link. */
  startExpiry(session: Session): void {
    session.offlineSince = Date.now();
    clearTimeout(session.expiryTimer);
    session.expiryTimer = setTimeout(() => this.expire(session, ErrorCode.SESSION_EXPIRED), this.options.session.ttlMs);
    session.expiryTimer.unref();
  }

  /** Ends a session for good. */
  expire(session: Session, code: string = ErrorCode.SESSION_EXPIRED): void {
    if (session.closed) return;
    session.closed = true;
    clearTimeout(session.expiryTimer);
    this.sessions.delete(session.id);
    session.seen.clear();
    this.store.delete(session.id).catch((err: unknown) => this.logger.error(`Outbox delete failed: ${String(err)}`));
    this.pending.failSession(session.id, new DuplexError(code, 'The session ended before the client answered'));
  }

  /** Shutdown: every session ends (its timers with it); links were closed by their transports. */
  onApplicationShutdown(): void {
    this.pending.failSession(undefined, new DuplexError(ErrorCode.SESSION_EXPIRED, 'The server shut down'));
    for (const session of [...this.sessions.values()]) this.expire(session);
  }
}

function tokensMatch(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
