import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DuplexBroker, LinkHolder, SessionLookup, SessionRecord } from '../brokers/broker.js';
import { DUPLEX_BROKER, DUPLEX_NODE_ID, DUPLEX_RESOLVED_OPTIONS } from '../duplex.constants.js';
import type { ResolvedDuplexOptions } from '../duplex-options.js';
import { DuplexError } from '../envelope/duplex.error.js';
import { ErrorCode } from '../envelope/error-codes.js';
import { CloseReason } from './close-reason.js';
import type { Link } from './link.js';
import { LiveSession } from './live-session.js';
import { LocalSessions } from './local-sessions.js';
import { PendingRequests } from './pending-requests.js';
import { newResumeToken, newSessionId } from './random-id.js';

export interface AttachedSession {
  live: LiveSession;
  lastSeq: number;
  trimmed: number;
  inboundSeq: number;
}

/**
 * A session's life as this node takes part in it: created, checked on resume, attached to a link
 * here, detached, ended. The state itself is the broker's; this node keeps only its live links.
 */
@Injectable()
export class SessionRegistry {
  private readonly logger = new Logger(SessionRegistry.name);
  readonly pending = new PendingRequests();

  constructor(
    @Inject(DUPLEX_BROKER) private readonly broker: DuplexBroker,
    @Inject(DUPLEX_NODE_ID) private readonly node: string,
    private readonly locals: LocalSessions,
    @Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions,
  ) {}

  /** Stores a new session (before its welcome goes out, so a resume at 0 ms finds it). */
  async create(principal: unknown, identity: string): Promise<{ id: string; token: string } | DuplexError> {
    const id = newSessionId();
    const token = newResumeToken();
    const record: SessionRecord = { id, tokenHash: hashToken(token), identity, principal, epoch: newEpoch(), createdAt: Date.now() };
    const created = await this.broker.sessions.create(record, this.options.session);
    if (!created.ok) {
      return new DuplexError(ErrorCode.SESSION_LIMIT, `The server holds its maximum of ${this.options.session.maxSessions} sessions; try again later`);
    }
    return { id, token };
  }

  /**
   * Proves a session: it is live, the token matches (compared as hashes, in constant time) and, when
   * given, the identity is the one that opened it.
   */
  async verify(sessionId: string, token: string, identity?: string): Promise<SessionRecord | DuplexError> {
    const lookup = await this.broker.sessions.lookup(sessionId);
    if (lookup.state !== 'live' || !hashesMatch(lookup.record.tokenHash, hashToken(token))) return refusal(lookup);
    if (identity !== undefined && lookup.record.identity !== identity) {
      return new DuplexError(ErrorCode.FORBIDDEN, 'The session belongs to another principal');
    }
    return lookup.record;
  }

  /** Makes `link` the session's live link (cluster-wide), closing or announcing the one it replaces. */
  async attach(sessionId: string, link: Link): Promise<AttachedSession | DuplexError> {
    const holder: LinkHolder = { node: this.node, link: newLinkId(), transport: link.handshake.transport };
    const result = await this.broker.sessions.attach(sessionId, holder, link.principal);
    if (!result.ok) return refusal(result.lookup);
    const live = new LiveSession(sessionId, link, holder.link, result.epoch);
    const replaced = this.locals.set(live);
    if (replaced !== undefined) this.retire(replaced, CloseReason.TAKEN_OVER, 'session resumed on another connection');
    const previous = result.previous;
    if (previous !== undefined && previous.node !== this.node) {
      // Best effort: if the old node is not told, its link dies by heartbeat; this one is the holder either way.
      this.broker.bus
        .send(previous.node, { kind: 'takeover', sessionId, link: previous.link })
        .catch((err: unknown) => this.logger.warn(`Telling node ${previous.node} of a takeover failed: ${String(err)}`));
    }
    return { live, lastSeq: result.lastSeq, trimmed: result.trimmed, inboundSeq: result.inboundSeq };
  }

  /** The link ended: the session stays, resumable on any node, until its TTL runs out. */
  async detach(live: LiveSession): Promise<void> {
    live.closed = true;
    if (!this.locals.delete(live)) return;
    const holder: LinkHolder = { node: this.node, link: live.linkId, transport: live.link.handshake.transport };
    await this.broker.sessions.detach(live.id, holder, this.options.session.ttlMs);
  }

  /** Ends a session everywhere; its link here (if any) is closed with `close`. */
  async end(sessionId: string, code: string, close: CloseReason = closeReasonFor(code)): Promise<void> {
    const live = this.locals.get(sessionId);
    if (live !== undefined) this.retire(live, close, close === CloseReason.NORMAL ? 'goodbye' : `session ended: ${code}`);
    this.pending.failSession(sessionId, new DuplexError(code, 'The session ended before the client answered'));
    await this.broker.sessions.end(sessionId, code, this.options.session.ttlMs);
  }

  /** Another node (or the broker's expiry) ended the session. */
  onEnded(sessionId: string, code: string): void {
    const live = this.locals.get(sessionId);
    if (live !== undefined) this.retire(live, closeReasonFor(code), `session ended: ${code}`);
    this.pending.failSession(sessionId, new DuplexError(code, 'The session ended before the client answered'));
  }

  /** Another node attached the session: close our link if it is still the one named. */
  onTakenOver(sessionId: string, linkId: string): void {
    const live = this.locals.get(sessionId);
    if (live !== undefined && live.linkId === linkId) this.retire(live, CloseReason.TAKEN_OVER, 'session resumed on another node');
  }

  /** Shutdown: links were closed by their transports; requests still waiting fail now. */
  shutdown(): void {
    this.pending.failSession(undefined, new DuplexError(ErrorCode.SESSION_EXPIRED, 'The server shut down'));
    for (const live of [...this.locals.values()]) this.locals.delete(live);
  }

  private retire(live: LiveSession, reason: CloseReason, message: string): void {
    live.closed = true;
    this.locals.delete(live);
    live.link.close(reason, message);
    this.logger.debug(`Session ${live.id}: link closed (${reason})`);
  }
}

function closeReasonFor(code: string): CloseReason {
  return code === ErrorCode.OUTBOX_OVERFLOW ? CloseReason.OUTBOX_OVERFLOW : CloseReason.SESSION_ENDED;
}

function refusal(lookup: SessionLookup): DuplexError {
  if (lookup.state === 'ended' && lookup.reason === ErrorCode.OUTBOX_OVERFLOW) {
    return new DuplexError(ErrorCode.OUTBOX_OVERFLOW, 'The session passed its outbox limits while away and was ended');
  }
  return new DuplexError(ErrorCode.SESSION_EXPIRED, 'The session is unknown or has expired');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

function hashesMatch(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function newEpoch(): string {
  return randomBytes(8).toString('base64url');
}

function newLinkId(): string {
  return randomBytes(9).toString('base64url');
}
